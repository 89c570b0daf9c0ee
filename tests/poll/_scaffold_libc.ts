/**
 * libc calls that tests need but the library's table does not have
 * (getrlimit, open, gettid), bound through the library's own FFI backend,
 * so the tests run unchanged on Deno, Node and Bun (`Deno.dlopen` is
 * Deno's only). Linux only: the tests that use it are.
 *
 * @module
 */

import { openLibrary, type SymbolTable } from "../../poll/_open_library.ts";
import type { SymbolsOf } from "../../poll/_ffi_types.ts";

/** `table`'s functions from glibc's libc.so.6. */
export function scaffoldLibc<const T extends SymbolTable>(
  table: T,
): SymbolsOf<T> {
  return openLibrary(["libc.so.6"], table, "libc (test scaffolding)")
    .symbols as SymbolsOf<T>;
}
