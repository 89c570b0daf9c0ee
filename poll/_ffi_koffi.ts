/**
 * The Node FFI backend: koffi (an npm package with prebuilt binaries) turns
 * the symbol table into functions. Types map from Deno's names; `buffer`
 * and `pointer` are `void *` (a typed array, a pointer, or `null`); 64-bit
 * integers take a bigint or a number. `nonblocking` rows return a Promise
 * of a call on koffi's worker threads (`fn.async`), as Deno's do.
 *
 * @module
 */

import { nodeRequire } from "./_node_require.ts";
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
} from "./_ffi_types.ts";

type KoffiFn = ((...args: unknown[]) => unknown) & {
  async(...args: unknown[]): void;
};

/** The part of koffi's API we use. */
interface Koffi {
  load(name: string | null, options?: { deep?: boolean }): {
    func(name: string, result: string, params: string[]): KoffiFn;
    symbol(name: string, type: string): unknown;
  };
  errno(): number;
  view(ptr: unknown, len: number): ArrayBuffer;
  decode(ptr: unknown, offset: number, type: string, len?: number): unknown;
  address(value: unknown): bigint;
  proto(name: string, result: string, params: string[]): unknown;
  pointer(type: unknown): unknown;
  register(fn: (...args: never[]) => unknown, type: unknown): unknown;
  unregister(ptr: unknown): void;
}

const TYPES: Readonly<Record<string, string>> = {
  void: "void",
  bool: "bool",
  i8: "int8_t",
  u8: "uint8_t",
  i16: "int16_t",
  u16: "uint16_t",
  i32: "int32_t",
  u32: "uint32_t",
  i64: "int64_t",
  u64: "uint64_t",
  isize: "intptr_t",
  usize: "size_t",
  f32: "float",
  f64: "double",
  buffer: "void *",
  pointer: "void *",
  // A registered callback is a pointer (see koffiCallback).
  function: "void *",
};

let koffi: Koffi | null = null;

function load(): Koffi {
  return koffi ??= nodeRequire("koffi") as Koffi;
}

function koffiType(t: string): string {
  const k = TYPES[t];
  if (k === undefined) {
    throw new TypeError(`Cannot bind with koffi: no mapping for type "${t}"`);
  }
  return k;
}

/** Open the first of `names` with `table` through koffi. @internal */
export function openKoffi(
  names: readonly string[],
  table: SymbolTable,
  os: string,
  options: OpenOptions = {},
): OpenedLibrary {
  const what = options.what ?? "libc";
  if (names.length === 0) throw unsupportedOs(os, what);
  const k = load();
  let lastErr: unknown;
  for (const name of names) {
    let lib: ReturnType<Koffi["load"]>;
    try {
      lib = options.deep ? k.load(name, { deep: true }) : k.load(name);
    } catch (err) {
      lastErr = err;
      continue;
    }
    const symbols: Record<string, unknown> = {};
    for (const [key, row] of Object.entries(table)) {
      const cname = row.name ?? key;
      // Mapped first: a type koffi lacks is our error, not a missing symbol.
      const result = koffiType(row.type ?? row.result ?? "void");
      const params = (row.parameters ?? []).map(koffiType);
      try {
        if (row.type !== undefined) {
          // A variable: its address, as Deno gives it. Looked up in the
          // whole program first: node's own binary refers to `environ`,
          // so the live copy is the executable's (a copy relocation) and
          // libc's own slot stays NULL.
          symbols[key] = variable(k, lib, cname, result);
          continue;
        }
        const fn = lib.func(cname, result, params);
        symbols[key] = row.nonblocking ? toPromise(fn) : fn;
      } catch (err) {
        if (!row.optional) {
          throw new Error(`Cannot load ${what}: ${name} has no ${cname}`, {
            cause: err,
          });
        }
        symbols[key] = null;
      }
    }
    // Called once so a missing accessor fails here, as on Deno.
    if (options.errno !== false) errnoAccessor(symbols)();
    return {
      name,
      symbols,
      errnoView: null,
      errno: () => k.errno(),
      offThread: true,
    };
  }
  throw noLibrary(names, lastErr, what);
}

function variable(
  k: Koffi,
  lib: ReturnType<Koffi["load"]>,
  name: string,
  type: string,
): unknown {
  try {
    return k.load(null).symbol(name, type);
  } catch {
    return lib.symbol(name, type);
  }
}

function toPromise(fn: KoffiFn): (...args: unknown[]) => Promise<unknown> {
  return (...args) =>
    new Promise((resolve, reject) => {
      fn.async(...args, (err: unknown, res: unknown) => {
        if (err) reject(err);
        else resolve(res);
      });
    });
}

/** Foreign memory through koffi (pointers are bigints). @internal */
export const koffiPointers: PointerOps = {
  view: (ptr, byteLength, offset = 0) =>
    load().view((ptr as bigint) + BigInt(offset), byteLength),
  cString: (ptr) => load().decode(ptr, 0, "char", -1) as string,
  readPointer: (ptr, offset = 0) => load().decode(ptr, offset, "void *"),
  address: (ptr) => ptr === null ? 0n : load().address(ptr),
  addressOf: (buf) => load().address(buf),
  at: (address) => address === 0n ? null : address,
};

// koffi names every prototype: one per signature, made once.
const protos = new Map<string, unknown>();

/**
 * `fn` as a C function pointer through `koffi.register` (pointer arguments
 * arrive as bigints, NULL as `null`). @internal
 */
export function koffiCallback(
  definition: CallbackDefinition,
  fn: (...args: never[]) => unknown,
): NativeCallback {
  const k = load();
  const result = koffiType(definition.result);
  const params = definition.parameters.map(koffiType);
  const key = `${result}(${params.join(",")})`;
  let proto = protos.get(key);
  if (proto === undefined) {
    proto = k.pointer(k.proto(`asyncio_cb_${protos.size}`, result, params));
    protos.set(key, proto);
  }
  const ptr = k.register(fn, proto);
  return { pointer: ptr as Pointer, close: () => k.unregister(ptr) };
}
