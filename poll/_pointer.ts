/**
 * Foreign memory on any runtime: view an address as an ArrayBuffer, read a
 * C string or a pointer, take a buffer's address. Pointers are the opaque
 * values of the runtime's FFI (see `PointerOps`); use them only with the
 * symbols of `libc()` and these functions.
 *
 * Not for hot paths: each call goes through the runtime's table once more.
 *
 * @module
 */

import { denoPointers } from "./_ffi_deno.ts";
import { koffiPointers } from "./_ffi_koffi.ts";
import { bunPointers } from "./_ffi_bun.ts";
import type { PointerOps } from "./_ffi_types.ts";
import { runtime } from "./_runtime.ts";

/** A pointer of the runtime's FFI (`null` is NULL). @internal */
export type Pointer = unknown;

const ops: PointerOps = runtime === "deno"
  ? denoPointers
  : runtime === "bun"
  ? bunPointers
  : koffiPointers;

/** `byteLength` bytes at `ptr + offset`, viewed (not copied). @internal */
export function viewAt(
  ptr: Pointer,
  byteLength: number,
  offset = 0,
): ArrayBuffer {
  return ops.view(ptr, byteLength, offset);
}

/** The NUL-terminated UTF-8 string at `ptr`. @internal */
export function cStringAt(ptr: Pointer): string {
  return ops.cString(ptr);
}

/** The pointer stored at `ptr + offset`. @internal */
export function pointerAt(ptr: Pointer, offset = 0): Pointer {
  return ops.readPointer(ptr, offset);
}

/** `ptr`'s address as a bigint (0n for NULL). @internal */
export function addressOfPointer(ptr: Pointer): bigint {
  return ops.address(ptr);
}

/** The address of `buf`'s first byte. @internal */
export function addressOf(buf: ArrayBufferView): bigint {
  return ops.addressOf(buf);
}

/** The pointer at `address` (NULL for 0n). @internal */
export function pointerFrom(address: bigint): Pointer {
  return ops.at(address);
}
