/**
 * The Deno FFI backend: `Deno.dlopen` turns the symbol table into Deno's own
 * fast-call functions, which call sites call directly.
 *
 * @module
 */

import {
  type CallbackDefinition,
  errnoAccessor,
  type NativeCallback,
  noLibrary,
  type OpenedLibrary,
  type OpenOptions,
  type Pointer,
  type PointerOps,
  type SymbolTable,
  unsupportedOs,
  withoutErrno,
} from "./_ffi_types.ts";

/**
 * Open the first of `names` with `table`; clear errors for a missing FFI
 * permission or an OS without a known libc.
 * @internal
 */
export function openDeno(
  names: readonly string[],
  table: SymbolTable,
  os: string,
  options: OpenOptions = {},
): OpenedLibrary {
  const what = options.what ?? "libc";
  if (names.length === 0) throw unsupportedOs(os, what);
  let lastErr: unknown;
  for (const name of names) {
    let lib: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>;
    try {
      lib = Deno.dlopen(name, table as Deno.ForeignLibraryInterface);
    } catch (err) {
      if (
        err instanceof Deno.errors.NotCapable ||
        err instanceof Deno.errors.PermissionDenied
      ) {
        throw new Error(
          `Cannot load ${what}: FFI permission is missing, run with --allow-ffi`,
          { cause: err },
        );
      }
      lastErr = err;
      continue;
    }
    const symbols = lib.symbols as Record<string, unknown>;
    if (options.errno === false) return withoutErrno(name, symbols, true);
    const ptr = errnoAccessor(symbols)() as Deno.PointerValue;
    if (ptr === null) {
      throw new Error("Cannot load libc: errno address is null");
    }
    // On the JS thread errno's address is fixed: a view reads it with no
    // second FFI call.
    const view = new Int32Array(
      new Deno.UnsafePointerView(ptr).getArrayBuffer(4),
    );
    return {
      name,
      symbols,
      errnoView: view,
      errno: () => view[0],
      offThread: true,
    };
  }
  throw noLibrary(names, lastErr, what);
}

/** Foreign memory through `Deno.UnsafePointerView`. @internal */
export const denoPointers: PointerOps = {
  view: (ptr, byteLength, offset = 0) =>
    Deno.UnsafePointerView.getArrayBuffer(
      ptr as Deno.PointerObject,
      byteLength,
      offset,
    ),
  cString: (ptr) =>
    Deno.UnsafePointerView.getCString(ptr as Deno.PointerObject),
  readPointer: (ptr, offset = 0) =>
    new Deno.UnsafePointerView(ptr as Deno.PointerObject).getPointer(offset),
  address: (ptr) => BigInt(Deno.UnsafePointer.value(ptr as Deno.PointerValue)),
  addressOf: (buf) =>
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf as Uint8Array))),
  at: (address) => Deno.UnsafePointer.create(address),
};

/** `fn` as a C function pointer through `Deno.UnsafeCallback`. @internal */
export function denoCallback(
  definition: CallbackDefinition,
  fn: (...args: never[]) => unknown,
): NativeCallback {
  const cb = new Deno.UnsafeCallback(
    definition as Deno.UnsafeCallbackDefinition,
    fn as Deno.UnsafeCallbackFunction,
  );
  return { pointer: cb.pointer as unknown as Pointer, close: () => cb.close() };
}
