/**
 * What every FFI backend shares: the shape of a row of the symbol table
 * (`poll/_libc.ts`, written in Deno's FFI type names) and of a loaded
 * library. A backend turns the table into plain functions once; call sites
 * then call those functions directly, on every runtime.
 *
 * @module
 */

/** One row of a symbol table, in Deno's FFI type names. @internal */
export interface SymbolRow {
  /** The C name when the key differs (`fcntl_stacked` -> `fcntl`). */
  readonly name?: string;
  /** Parameter types ("i32", "usize", "buffer", "pointer", ...). */
  readonly parameters?: readonly string[];
  /** Result type ("i32", "pointer", "void", ...). */
  readonly result?: string;
  /** For a variable (`environ`): its type; the symbol is its address. */
  readonly type?: string;
  /** Missing on some systems: the symbol is then `null`. */
  readonly optional?: boolean;
  /** Call off the JS thread; the function returns a Promise. */
  readonly nonblocking?: boolean;
}

/** A symbol table: key -> row. @internal */
export type SymbolTable = Readonly<Record<string, SymbolRow>>;

declare const pointerBrand: unique symbol;

/**
 * A pointer of the runtime's FFI: opaque (Deno: a pointer object, koffi: a
 * bigint or an external, Bun: a number); `null` is NULL. Only the symbols
 * of a table and `_pointer.ts` take and make them. @internal
 */
export type Pointer = { readonly [pointerBrand]: true } | null;

type Wide = "i64" | "u64" | "isize" | "usize";

/** What a JS caller passes for a parameter of type `T`. @internal */
export type ParameterValue<T> = T extends "buffer"
  ? ArrayBufferView | ArrayBuffer | null
  : T extends "pointer" ? Pointer
  : T extends Wide ? number | bigint
  : T extends "bool" ? boolean
  : number;

/** What a call with result type `T` returns. @internal */
export type ResultValue<T> = T extends "void" ? void
  : T extends "pointer" | "buffer" ? Pointer
  : T extends Wide ? number | bigint
  : T extends "bool" ? boolean
  : number;

type Call<R> = R extends
  { readonly parameters: infer P extends readonly string[] } ? (
    ...args: { -readonly [I in keyof P]: ParameterValue<P[I]> }
  ) => R extends { readonly nonblocking: true }
    ? Promise<ResultValue<ResultOfRow<R>>>
    : ResultValue<ResultOfRow<R>>
  : () => ResultValue<ResultOfRow<R>>;

type ResultOfRow<R> = R extends { readonly result: infer T } ? T : "void";

type Symbol<R> = R extends { readonly type: string } ? Pointer : Call<R>;

/**
 * The functions a backend makes of table `T`, typed from the table itself
 * (Deno's FFI type names; no runtime's own types): an optional row's may
 * be `null`. @internal
 */
export type SymbolsOf<T> = {
  readonly [K in keyof T]: T[K] extends { readonly optional: true }
    ? Symbol<T[K]> | null
    : Symbol<T[K]>;
};

/** A library opened by a backend. @internal */
export interface OpenedLibrary {
  /** The file name that opened ("libc.so.6"). */
  readonly name: string;
  /** key -> function (or variable address); `null` for a missing optional. */
  readonly symbols: Record<string, unknown>;
  /**
   * A view of the JS thread's errno slot (Deno, Bun: its address is fixed
   * on that thread), read right after a failing call; `null` where errno
   * must be asked for with `errno` (koffi keeps the errno of its last call:
   * Node may run other native code between the call and our read).
   */
  readonly errnoView: Int32Array | null;
  /** errno of the last failing call, where `errnoView` is `null`. */
  readonly errno: () => number;
  /**
   * Whether `nonblocking` rows really run off the JS thread. Bun has no
   * such calls: there the resolver's run on a Worker, the others on the JS
   * thread after a host turn, and the selectors poll or wait on a Worker
   * instead of blocking (see `BaseSelector.selectAsync`).
   */
  readonly offThread: boolean;
}

/**
 * Foreign memory access of one runtime; pointers are opaque values of that
 * runtime (Deno: pointer objects, koffi: bigints, Bun: numbers; `null` is
 * NULL everywhere). @internal
 */
export interface PointerOps {
  /** `byteLength` bytes at `ptr + offset`, as an ArrayBuffer over them. */
  view(ptr: unknown, byteLength: number, offset?: number): ArrayBuffer;
  /** The NUL-terminated string at `ptr`, decoded as UTF-8. */
  cString(ptr: unknown): string;
  /** The pointer stored at `ptr + offset`. */
  readPointer(ptr: unknown, offset?: number): unknown;
  /** A pointer's address (0n for NULL). */
  address(ptr: unknown): bigint;
  /** The address of a buffer's first byte. */
  addressOf(buf: ArrayBufferView): bigint;
  /** The pointer at `address` (NULL for 0n). */
  at(address: bigint): unknown;
}

/**
 * What a backend opens besides libc (libssl, libcrypto): its name in
 * messages, and whether it has errno's accessor (only libc has). @internal
 */
export interface OpenOptions {
  /** The library's name in messages; default "libc". */
  readonly what?: string;
  /** Whether to set up errno from the library; default true. */
  readonly errno?: boolean;
  /**
   * Bind the library's own references to itself and its dependencies
   * first (`RTLD_DEEPBIND`; koffi only): Node's binary exports the
   * symbols of the OpenSSL built into it, and without this libssl.so.3
   * would call half into that copy (two error queues, failed handshakes).
   */
  readonly deep?: boolean;
}

/**
 * A library opened without errno (`OpenOptions.errno` false): libc's
 * errno is the one to read. @internal
 */
export function withoutErrno(
  name: string,
  symbols: Record<string, unknown>,
  offThread: boolean,
): OpenedLibrary {
  return { name, symbols, errnoView: null, errno: () => 0, offThread };
}

/** The error for an OS without a libc we know. @internal */
export function unsupportedOs(os: string, what = "libc"): Error {
  return new Error(
    `Cannot load ${what}: ${os} is not supported, the FFI backend runs on Linux, macOS and the BSDs`,
  );
}

/** The error when no name in `names` opened. @internal */
export function noLibrary(
  names: readonly string[],
  cause: unknown,
  what = "libc",
): Error {
  return new Error(
    `Cannot load ${what}: none of ${names.join(", ")} could be opened`,
    { cause },
  );
}

/** A C function signature for a callback, in Deno's FFI type names. @internal */
export interface CallbackDefinition {
  readonly parameters: readonly string[];
  readonly result: string;
}

/**
 * A JS function made callable from C (libssl's ALPN and SNI hooks): its
 * `pointer` is passed where C takes a function pointer; `close()` frees it.
 * Pointer arguments arrive as the runtime's pointers (`null` for NULL).
 * @internal
 */
export interface NativeCallback {
  readonly pointer: Pointer;
  close(): void;
}

/** The errno accessor in `symbols`, or a clear error. @internal */
export function errnoAccessor(symbols: Record<string, unknown>): () => unknown {
  const loc = symbols.__errno_location ?? symbols.__error;
  if (typeof loc !== "function") {
    throw new Error("Cannot load libc: it has no errno accessor");
  }
  return loc as () => unknown;
}
