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
import { sslProtocolFor } from "./_protocol_for.ts";

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
 * @example STARTTLS: a plaintext greeting, then TLS on the same connection
 * ```ts
 * import {
 *   createConnection, createServer, getRunningLoop, PROTOCOL_TLS_CLIENT,
 *   PROTOCOL_TLS_SERVER, type Protocol, run, SSLContext, type Transport,
 * } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const dir = "tests/tls/fixtures/";
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   using sctx = new SSLContext(PROTOCOL_TLS_SERVER);
 *   sctx.loadCertChain(dir + "server.pem", dir + "server.key");
 *   using cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
 *   cctx.loadVerifyLocations({ cafile: dir + "ca.pem" });
 *   const got = loop.createFuture<string>();
 *   const server = yield* createServer(loop, () => {
 *     let t: Transport;
 *     const p: Protocol = {
 *       connectionMade: (tr: Transport) => {
 *         t = tr;
 *         t.write(new TextEncoder().encode("go ahead\n")); // plaintext
 *         // Upgrade at once: the client answers with its TLS hello.
 *         loop.startTls(t, p, sctx, { serverSide: true }).addDoneCallback((f) => {
 *           t = f.result();
 *         });
 *       },
 *       dataReceived: (d: Uint8Array) => got.setResult(new TextDecoder().decode(d)),
 *     };
 *     return p;
 *   }, "127.0.0.1", 0);
 *   const [, port] = server.sockets[0].getsockname() as [string, number];
 *   const greeted = loop.createFuture<void>();
 *   const client: Protocol = { dataReceived: () => greeted.setResult() };
 *   const [plain] = yield* createConnection(loop, () => client, "127.0.0.1", port);
 *   yield* greeted;
 *   const secure = yield* loop.startTls(plain, client, cctx, { serverHostname: "localhost" });
 *   secure.write(new TextEncoder().encode("secret"));
 *   assert.equal(yield* got, "secret");
 *   assert.equal(secure.getExtraInfo("version"), "TLSv1.3");
 *   secure.close();
 *   server.close();
 *   server.closeClients();
 *   yield* server.waitClosed();
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
  const ssl = sslProtocolFor(loop, protocol, sslContext, waiter, {
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
