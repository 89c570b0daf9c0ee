/**
 * The seam TLS plugs into: the `ssl` option of `createConnection`,
 * `createServer`, the Unix variants and `connectAcceptedSocket` hands the
 * raw socket transport a TLS protocol (asyncio's `SSLProtocol`) that wraps
 * the user's protocol, instead of the user's protocol itself. `tls/`
 * registers its layer with `_setTlsLayer()`; until one is registered,
 * setting `ssl` fails with a clear error.
 *
 * What a layer gets: the loop, the application protocol, and the TLS
 * options. What it returns: the protocol the raw transport drives, and a
 * Future of the application-side transport, resolved once the handshake is
 * done (or failed with its error).
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { NetLoop } from "./_loop.ts";
import type { StreamProtocol, Transport } from "./types.ts";

/** The TLS options of a connection or server. @internal */
export interface TlsOptions {
  /** The `ssl` option as given (an SSLContext, or `true` for defaults). */
  ssl: unknown;
  /** Server side of the handshake (accepted connections). */
  serverSide: boolean;
  /** Name to verify and send as SNI (client side), or null. */
  serverHostname: string | null;
  /** Seconds the handshake may take. */
  sslHandshakeTimeout?: number;
  /** Seconds the TLS shutdown may take. */
  sslShutdownTimeout?: number;
}

/** What a TLS layer makes for one connection. @internal */
export interface TlsWrapped {
  /** The protocol the raw socket transport drives. */
  protocol: StreamProtocol;
  /** The application's transport, once the handshake completed. */
  ready: Future<Transport>;
}

/** A TLS implementation: wraps one application protocol. @internal */
export type TlsLayer = (
  loop: NetLoop,
  app: StreamProtocol,
  options: TlsOptions,
) => TlsWrapped;

let layer: TlsLayer | null = null;

/** Register (or, with null, remove) the TLS layer. @internal */
export function _setTlsLayer(l: TlsLayer | null): void {
  layer = l;
}

/** Whether `ssl` asks for TLS (anything but undefined, null, false). @internal */
export function wantsTls(ssl: unknown): boolean {
  return ssl !== undefined && ssl !== null && ssl !== false;
}

/**
 * The registered layer.
 * @throws {Error} when TLS was asked for and no layer is registered.
 * @internal
 */
export function tlsLayer(action: string): TlsLayer {
  if (layer === null) {
    throw new Error(
      `Cannot ${action}: TLS (the ssl option) is not available, no TLS layer is loaded`,
    );
  }
  return layer;
}
