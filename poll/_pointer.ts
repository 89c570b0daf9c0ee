/**
 * Foreign memory on any runtime: view an address as an ArrayBuffer, read a
 * C string or a pointer, take a buffer's address. Pointers are the opaque
 * values of the runtime's FFI (see `PointerOps`); use them only with the
 * symbols of `libc()` and these functions.
 *
 * Each export is the runtime's own function, picked once at load: a call
 * costs what the runtime's FFI costs, with no table lookup on the way (the
 * gathering writes of `socket.ts` take an address per buffer).
 *
 * @module
 */

import { denoPointers } from "./_ffi_deno.ts";
import { koffiPointers } from "./_ffi_koffi.ts";
import { bunPointers } from "./_ffi_bun.ts";
import type { Pointer as FfiPointer, PointerOps } from "./_ffi_types.ts";
import { runtime } from "./_runtime.ts";

/** A pointer of the runtime's FFI (`null` is NULL). @internal */
export type Pointer = FfiPointer;

const ops: PointerOps = runtime === "deno"
  ? denoPointers
  : runtime === "bun"
  ? bunPointers
  : koffiPointers;

/** `byteLength` bytes at `ptr + offset`, viewed (not copied). @internal */
export const viewAt: (
  ptr: Pointer,
  byteLength: number,
  offset?: number,
) => ArrayBuffer = ops.view as never;

/** The NUL-terminated UTF-8 string at `ptr`. @internal */
export const cStringAt: (ptr: Pointer) => string = ops.cString as never;

/** The pointer stored at `ptr + offset`. @internal */
export const pointerAt: (ptr: Pointer, offset?: number) => Pointer = ops
  .readPointer as never;

/** `ptr`'s address as a bigint (0n for NULL). @internal */
export const addressOfPointer: (ptr: Pointer) => bigint = ops
  .address as never;

/** The address of `buf`'s first byte. @internal */
export const addressOf: (buf: ArrayBufferView) => bigint = ops.addressOf;

/** The pointer at `address` (NULL for 0n). @internal */
export const pointerFrom: (address: bigint) => Pointer = ops.at as never;
