/**
 * What net/ needs to honour the `ssl` option of `createConnection`,
 * `createServer` and their Unix forms: check the TLS options as asyncio
 * does, and wrap the user's protocol in an {@linkcode SSLProtocol} whose
 * handshake the caller awaits.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import type { LoopLike } from "../futures/_loop.ts";
import type { BaseProtocol, Transport } from "../net/types.ts";
import { createDefaultContext, SSLContext } from "./context.ts";
import { type AnySslProtocol, sslProtocolFor } from "./_protocol_for.ts";

/** The TLS options of net/'s connection and server functions. @internal */
export interface NetSslOptions {
  /** `true` (a default client context) or an `SSLContext`. */
  ssl?: unknown;
  /** The name for SNI and the certificate check (clients). */
  serverHostname?: string | null;
  /** Seconds the handshake may take. */
  sslHandshakeTimeout?: number;
  /** Seconds to wait for the peer's `close_notify`. */
  sslShutdownTimeout?: number;
}

/** TLS settings checked and resolved for one connection or server. @internal */
export interface SslPlan {
  /** The context; null for `ssl: true` (a default one per connection). */
  context: SSLContext | null;
  serverSide: boolean;
  serverHostname: string | null;
  sslHandshakeTimeout?: number;
  sslShutdownTimeout?: number;
}

/**
 * Check the TLS options as asyncio does; null when there is no `ssl`.
 *
 * @param host The host connected to: the default `serverHostname` of a client.
 * @throws {TypeError} for TLS options without `ssl`, a server with
 *   `ssl: true` or `serverHostname`, or an `ssl` that is no SSLContext.
 * @throws {RangeError} for a timeout that is not a positive number.
 * @internal
 */
export function planSsl(
  options: NetSslOptions,
  action: string,
  side: { serverSide: boolean; host?: string | null },
): SslPlan | null {
  const ssl = options.ssl;
  const none = ssl === undefined || ssl === null || ssl === false;
  if (none) {
    for (
      const key of [
        "serverHostname",
        "sslHandshakeTimeout",
        "sslShutdownTimeout",
      ] as const
    ) {
      if (options[key] !== undefined && options[key] !== null) {
        throw new TypeError(
          `Cannot ${action}: ${key} is only meaningful with ssl`,
        );
      }
    }
    return null;
  }
  if (ssl !== true && !(ssl instanceof SSLContext)) {
    throw new TypeError(
      `Cannot ${action}: ssl must be true or an SSLContext, got ${typeof ssl}`,
    );
  }
  if (side.serverSide) {
    if (ssl === true) {
      throw new TypeError(
        `Cannot ${action}: a server needs an SSLContext with its certificate as ssl`,
      );
    }
    if (
      options.serverHostname !== undefined && options.serverHostname !== null
    ) {
      throw new TypeError(`Cannot ${action}: serverHostname is for clients`);
    }
  }
  let serverHostname: string | null = null;
  if (!side.serverSide) {
    serverHostname = options.serverHostname ?? side.host ?? null;
    if (serverHostname === null) {
      throw new TypeError(
        `Cannot ${action}: set serverHostname when using ssl without a host`,
      );
    }
  }
  for (const key of ["sslHandshakeTimeout", "sslShutdownTimeout"] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === "number" && v > 0)) {
      throw new RangeError(
        `Cannot ${action}: ${key} must be a positive number of seconds, got ${v}`,
      );
    }
  }
  return {
    context: ssl === true ? null : ssl as SSLContext,
    serverSide: side.serverSide,
    serverHostname,
    sslHandshakeTimeout: options.sslHandshakeTimeout,
    sslShutdownTimeout: options.sslShutdownTimeout,
  };
}

/**
 * Wrap `app` for one connection: give the returned `protocol` to the socket
 * transport, await `handshake`, then hand `transport` to the user.
 * @internal
 */
export function wrapForSsl(
  loop: LoopLike,
  app: BaseProtocol,
  plan: SslPlan,
): {
  protocol: AnySslProtocol;
  handshake: Future<unknown>;
  transport: Transport;
} {
  const handshake = new Future<unknown>({ loop });
  const context = plan.context ?? createDefaultContext();
  try {
    const protocol = sslProtocolFor(loop, app, context, handshake, {
      serverSide: plan.serverSide,
      serverHostname: plan.serverHostname,
      sslHandshakeTimeout: plan.sslHandshakeTimeout,
      sslShutdownTimeout: plan.sslShutdownTimeout,
    });
    if (plan.serverSide) {
      // Nobody awaits a server connection's handshake: its failure goes to
      // the exception handler (as asyncio), not to "never retrieved".
      handshake.addDoneCallback((f) => f.cancelled() || f.exception());
    }
    return { protocol, handshake, transport: protocol.appTransport };
  } finally {
    // Our own default context lives on with the connection that uses it.
    if (plan.context === null) context.close();
  }
}
