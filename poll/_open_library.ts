/**
 * Opening a library other than libc (libssl, libcrypto) from a symbol
 * table, through the runtime's FFI backend, with the same rules as the
 * libc table: data in, plain functions out.
 *
 * @module
 */

import { openDeno } from "./_ffi_deno.ts";
import { openKoffi } from "./_ffi_koffi.ts";
import { openBun } from "./_ffi_bun.ts";
import type { OpenedLibrary, SymbolTable } from "./_ffi_types.ts";
import { os, runtime } from "./_runtime.ts";

export type { SymbolRow, SymbolTable } from "./_ffi_types.ts";

/**
 * Open the first of `names` that opens with `table`; `what` names the
 * library in errors ("Cannot load libssl: ..."). It has no errno of its
 * own (read libc's). It binds to its own dependencies first (see
 * `OpenOptions.deep`): a host may carry its own copy of the same library.
 * @internal
 */
export function openLibrary(
  names: readonly string[],
  table: SymbolTable,
  what: string,
): OpenedLibrary {
  const options = { what, errno: false, deep: true };
  switch (runtime) {
    case "deno":
      return openDeno(names, table, os, options);
    case "bun":
      return openBun(names, table, os, options);
    default:
      return openKoffi(names, table, os, options);
  }
}
