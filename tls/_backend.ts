/**
 * Which TLS implementation new contexts use: libssl through FFI (the
 * default: synchronous, the fast path), or `node:tls` over a Duplex where
 * libssl cannot be loaded (macOS without Homebrew's openssl@3). The choice
 * is made once, on the first context, unless a test forces one.
 *
 * @module
 */

import { libssl } from "./_libssl.ts";

/** A TLS implementation. @internal */
export type TlsBackend = "libssl" | "node";

let chosen: TlsBackend | null = null;
let forced: TlsBackend | null = null;

/**
 * The backend for a new context: the forced one, else libssl if it loads,
 * else `node:tls`. A missing FFI permission is not "libssl is missing": it
 * is thrown, so a program learns to pass --allow-ffi instead of silently
 * taking the slower path.
 * @internal
 */
export function tlsBackend(): TlsBackend {
  if (forced !== null) return forced;
  return chosen ??= _chooseBackend(libssl);
}

/**
 * "libssl" if `load` (which loads libssl) succeeds, "node" if it fails
 * because the library is missing; any other failure is thrown.
 * @internal
 */
export function _chooseBackend(load: () => unknown): TlsBackend {
  try {
    load();
    return "libssl";
  } catch (err) {
    if (err instanceof Error && /permission/i.test(err.message)) throw err;
    return "node";
  }
}

/**
 * Force the backend of contexts made from now on (`null`: choose again as
 * above). For tests of the fallback where libssl exists. @internal
 */
export function _setTlsBackend(backend: TlsBackend | null): void {
  if (backend !== null && backend !== "libssl" && backend !== "node") {
    throw new RangeError(
      `Cannot set the TLS backend to ${backend}: use "libssl", "node" or null`,
    );
  }
  forced = backend;
}
