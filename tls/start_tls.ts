/**
 * `startTls()`: upgrade a connected transport to TLS in place (asyncio's
 * `loop.start_tls`), e.g. after a plaintext STARTTLS exchange.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { Task } from "../futures/task.ts";
import type { BaseProtocol, Transport } from "../net/types.ts";
import { SSLContext } from "./context.ts";
import { SSLProtocol } from "./ssl_protocol.ts";

/** Options of {@linkcode startTls}. */
export interface StartTlsOptions {
  /** Be the TLS server (default false). */
  serverSide?: boolean;
  /** The name for SNI and the certificate check (clients). */
  serverHostname?: string | null;
  /** Seconds the handshake may take (default 60). */
  sslHandshakeTimeout?: number;
  /** Seconds to wait for the peer's `close_notify` on close (default 30). */
  sslShutdownTimeout?: number;
}

/**
 * Start TLS over `transport`, which `protocol` uses now: the transport is
 * handed to an SSL protocol, the handshake runs, and the result is the new
 * transport for `protocol` (asyncio's `loop.start_tls`; our `Future` is
 * awaitable with `yield*` or `await`). `protocol.connectionMade` is not
 * called again.
 *
 * @param loop The loop the transport runs on.
 * @param transport A connected stream transport.
 * @param protocol The application protocol, to receive decrypted data.
 * @param sslContext The TLS settings.
 * @param options Side, server name, timeouts.
 * @returns A future of the TLS transport; it fails with the handshake's
 *   error, and the transport is then closed.
 * @throws {TypeError} when `sslContext` is no `SSLContext`.
 *
 * @example STARTTLS over an in-memory pair is in tests/tls/; with a socket:
 * ```ts ignore
 * const tlsTransport = yield* startTls(loop, transport, protocol, ctx, {
 *   serverHostname: "localhost",
 * });
 * ```
 */
export function startTls(
  loop: LoopLike,
  transport: Transport,
  protocol: BaseProtocol,
  sslContext: SSLContext,
  options: StartTlsOptions = {},
): Future<Transport> {
  if (!(sslContext instanceof SSLContext)) {
    throw new TypeError(
      `Cannot start TLS: sslContext must be an SSLContext, got ${typeof sslContext}`,
    );
  }
  if (transport.isClosing()) {
    throw new Error("Cannot start TLS: the transport is closing");
  }
  const waiter = new Future<unknown>({ loop });
  const ssl = new SSLProtocol(loop, protocol, sslContext, waiter, {
    ...options,
    callConnectionMade: false,
  });
  // No plaintext may reach the old protocol between now and the handshake.
  transport.pauseReading();
  transport.setProtocol(ssl);
  const made = loop.callSoon(() => ssl.connectionMade(transport));
  const resume = loop.callSoon(() => transport.resumeReading());
  function* upgrade(): Generator<unknown, Transport, unknown> {
    try {
      yield* waiter;
    } catch (err) {
      transport.close();
      made.cancel();
      resume.cancel();
      throw err;
    }
    return ssl.appTransport;
  }
  return new Task(upgrade(), { loop });
}
