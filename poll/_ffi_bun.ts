/**
 * The Bun FFI backend: `bun:ffi`'s `dlopen` turns the symbol table into
 * functions (Deno's type names are Bun's, `pointer` and `buffer` become
 * `ptr`: Bun's `buffer` refuses `null`, which our tables pass for NULL, as
 * select(2)'s absent sets and timeout; its `ptr` takes typed arrays,
 * DataViews, ArrayBuffers and `null`).
 *
 * Bun has no calls off the JS thread. The resolver's `nonblocking` rows
 * (`getaddrinfo`, `getnameinfo`) run on a Worker (`_bun_waiter.ts`); the
 * others become a Promise of the same call made on the JS thread after one
 * host turn (`setImmediate`): right for calls that return at once (a zero
 * timeout, `usleep(20)`).
 * The selectors therefore do not use them for waits on Bun: epoll and
 * kqueue selectors wait on a Worker blocking in `poll()` on their fd
 * (`_bun_waiter.ts`); poll and select ones poll with zero timeouts
 * between host turns (see `BaseSelector`).
 *
 * Variables (`environ`) are not reachable through `bun:ffi`: they are `null`.
 *
 * @module
 */

import { nodeRequire } from "./_node_require.ts";
import { callOnWorker } from "./_bun_waiter.ts";
import {
  type CallbackDefinition,
  errnoAccessor,
  type NativeCallback,
  noLibrary,
  type OpenedLibrary,
  type OpenOptions,
  type Pointer,
  type PointerOps,
  type SymbolRow,
  type SymbolTable,
  unsupportedOs,
  withoutErrno,
} from "./_ffi_types.ts";

type BunDef = { args: string[]; returns: string };

/** The part of `bun:ffi` we use. */
interface BunFfi {
  dlopen(
    name: string,
    defs: Record<string, BunDef>,
  ): { symbols: Record<string, (...a: unknown[]) => unknown> };
  toArrayBuffer(ptr: unknown, offset: number, len: number): ArrayBuffer;
  CString: new (ptr: unknown) => string;
  ptr(buf: ArrayBufferView): number;
  read: { ptr(ptr: unknown, offset: number): number };
  JSCallback: new (
    fn: (...args: never[]) => unknown,
    def: BunDef,
  ) => { readonly ptr: number | null; close(): void };
}

let bun: BunFfi | null = null;

function load(): BunFfi {
  return bun ??= nodeRequire("bun:ffi") as BunFfi;
}

function bunType(t: string): string {
  return t === "pointer" || t === "buffer" ? "ptr" : t;
}

function defOf(row: SymbolRow, key: string): [string, BunDef] {
  return [row.name ?? key, {
    args: (row.parameters ?? []).map(bunType),
    returns: bunType(row.result ?? "void"),
  }];
}

/** Open the first of `names` with `table` through `bun:ffi`. @internal */
export function openBun(
  names: readonly string[],
  table: SymbolTable,
  os: string,
  options: OpenOptions = {},
): OpenedLibrary {
  const what = options.what ?? "libc";
  if (names.length === 0) throw unsupportedOs(os, what);
  const ffi = load();
  let lastErr: unknown;
  for (const name of names) {
    // bun:ffi fails a whole dlopen for one missing symbol, and keys its
    // symbols by C name: the plain required rows go in one call; each
    // optional one, and each second binding of a C name (`fcntl_stacked`),
    // alone.
    const required: Record<string, BunDef> = {};
    for (const [key, row] of Object.entries(table)) {
      if (alone(row) === false) {
        const [cname, def] = defOf(row, key);
        required[cname] = def;
      }
    }
    let lib: ReturnType<BunFfi["dlopen"]>;
    try {
      lib = ffi.dlopen(name, required);
    } catch (err) {
      lastErr = err;
      if (opens(ffi, name, what === "libc" ? undefined : required)) {
        // The file is there: a symbol is missing or a type is wrong.
        throw new Error(
          `Cannot load ${what}: ${name} does not bind as our table says`,
          { cause: err },
        );
      }
      continue;
    }
    const symbols: Record<string, unknown> = {};
    for (const [key, row] of Object.entries(table)) {
      if (row.type !== undefined) {
        symbols[key] = null;
        continue;
      }
      const [cname, def] = defOf(row, key);
      let fn: ((...a: unknown[]) => unknown) | null = null;
      if (!alone(row)) fn = lib.symbols[cname];
      else {
        try {
          fn = ffi.dlopen(name, { [cname]: def }).symbols[cname];
        } catch (err) {
          if (!row.optional) {
            throw new Error(`Cannot load ${what}: ${name} has no ${cname}`, {
              cause: err,
            });
          }
        }
      }
      symbols[key] = fn === null || !row.nonblocking
        ? fn
        : ON_WORKER.has(cname)
        ? onWorker(name, cname, def)
        : afterTurn(fn);
    }
    if (options.errno === false) return withoutErrno(name, symbols, false);
    const ptr = errnoAccessor(symbols)();
    if (ptr === null) {
      throw new Error("Cannot load libc: errno address is null");
    }
    const view = new Int32Array(ffi.toArrayBuffer(ptr, 0, 4));
    return {
      name,
      symbols,
      errnoView: view,
      errno: () => view[0],
      offThread: false,
    };
  }
  throw noLibrary(names, lastErr, what);
}

function opens(
  ffi: BunFfi,
  name: string,
  table?: Record<string, BunDef>,
): boolean {
  // bun:ffi refuses an empty table; every libc has getpid. Another library
  // is probed with the first symbol of its table.
  const [probe, def] = table === undefined
    ? ["getpid", { args: [], returns: "i32" }]
    : Object.entries(table)[0] ?? ["", { args: [], returns: "void" }];
  try {
    ffi.dlopen(name, { [probe]: def });
    return true;
  } catch {
    return false;
  }
}

function alone(row: SymbolRow): boolean {
  return row.optional === true || row.name !== undefined;
}

// The calls that may block for long (the resolver: DNS over the network)
// go to a Worker; the others (zero-timeout polls, short sleeps) return at
// once and run after a host turn.
const ON_WORKER = new Set(["getaddrinfo", "getnameinfo"]);

function onWorker(
  lib: string,
  cname: string,
  def: BunDef,
): (...a: unknown[]) => Promise<unknown> {
  return (...args) => callOnWorker(lib, cname, def, args);
}

function afterTurn(
  fn: (...a: unknown[]) => unknown,
): (...a: unknown[]) => Promise<unknown> {
  return (...args) =>
    new Promise((resolve) => setImmediate(() => resolve(fn(...args))));
}

declare function setImmediate(cb: () => void): unknown;

/** Foreign memory through `bun:ffi` (pointers are numbers). @internal */
export const bunPointers: PointerOps = {
  view: (ptr, byteLength, offset = 0) =>
    load().toArrayBuffer(ptr, offset, byteLength),
  cString: (ptr) => String(new (load().CString)(ptr)),
  readPointer: (ptr, offset = 0) => {
    const p = load().read.ptr(ptr, offset);
    return p === 0 ? null : p;
  },
  address: (ptr) => ptr === null ? 0n : BigInt(ptr as number),
  addressOf: (buf) => BigInt(load().ptr(buf)),
  at: (address) => address === 0n ? null : Number(address),
};

/**
 * `fn` as a C function pointer through `bun:ffi`'s `JSCallback` (pointer
 * arguments arrive as numbers; NULL as `null`, as on the other runtimes).
 * @internal
 */
export function bunCallback(
  definition: CallbackDefinition,
  fn: (...args: never[]) => unknown,
): NativeCallback {
  const ffi = load();
  const ptrs = definition.parameters.flatMap((t, i) =>
    t === "pointer" || t === "buffer" ? [i] : []
  );
  const call = fn as (...args: unknown[]) => unknown;
  const cb = new ffi.JSCallback((...args: unknown[]) => {
    for (const i of ptrs) if (args[i] === 0) args[i] = null;
    return call(...args);
  }, {
    args: definition.parameters.map(bunType),
    returns: bunType(definition.result),
  });
  return { pointer: cb.ptr as unknown as Pointer, close: () => cb.close() };
}
