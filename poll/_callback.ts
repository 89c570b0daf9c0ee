/**
 * C-callable JS functions on any runtime (`Deno.UnsafeCallback`, koffi's
 * `register`, `bun:ffi`'s `JSCallback`), for libraries that call back into
 * JS on the JS thread (libssl's ALPN and SNI hooks inside a handshake).
 *
 * @module
 */

import { denoCallback } from "./_ffi_deno.ts";
import { koffiCallback } from "./_ffi_koffi.ts";
import { bunCallback } from "./_ffi_bun.ts";
import type { CallbackDefinition, NativeCallback } from "./_ffi_types.ts";
import { runtime } from "./_runtime.ts";

export type { CallbackDefinition, NativeCallback } from "./_ffi_types.ts";

const make = runtime === "deno"
  ? denoCallback
  : runtime === "bun"
  ? bunCallback
  : koffiCallback;

/**
 * `fn` as a C function pointer of `definition`'s signature; pointer
 * arguments are the runtime's pointers (see `poll/_pointer.ts`). Call
 * `close()` once C can no longer call it.
 * @internal
 */
export function nativeCallback(
  definition: CallbackDefinition,
  fn: (...args: never[]) => unknown,
): NativeCallback {
  return make(definition, fn);
}
