/**
 * Work references: how a pool thread or process learns what to run.
 *
 * A function cannot cross to another thread (structured clone refuses it),
 * so work is *named*: a module URL and an exported function, or a native
 * symbol of a shared library. A reference is made once, next to the function
 * it names, and carries the function's type, so `submit(ref, ...args)` is
 * type-checked like a call.
 *
 * @module
 */
import * as executorKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _type: typeof executorKeys._type = executorKeys._type;

/**
 * Any function that can be named as work (its type is only checked on the
 * caller's side).
 *
 * @example
 * ```ts
 * import type { WorkFunction } from "./work.ts";
 * const f: WorkFunction = (n: number) => n + 1;
 * console.log(f(1));
 * ```
 */
// deno-lint-ignore no-explicit-any
export type WorkFunction = (...args: any[]) => any;

/**
 * What running `F` yields: the awaited result of an async function, the
 * return value of a generator coroutine, or the plain result.
 *
 * @example
 * ```ts
 * import type { WorkResult } from "./work.ts";
 * const n: WorkResult<() => Promise<number>> = 1;
 * console.log(n);
 * ```
 */
export type WorkResult<F extends WorkFunction> = ReturnType<F> extends
  Generator<unknown, infer R, unknown> ? R : Awaited<ReturnType<F>>;

/**
 * A named function that a worker can run: `work<typeof fib>(import.meta.url,
 * "fib")`. The type parameter is the function's type; nothing of it crosses
 * to the worker but its module URL and export name.
 *
 * @typeParam F The type of the function named.
 *
 * @example
 * ```ts
 * import { type Work, work } from "./work.ts";
 * function double(n: number): number {
 *   return 2 * n;
 * }
 * // Where `double` is exported, `import.meta.url` names its module.
 * const ref: Work<typeof double> = work<typeof double>(import.meta.url, "double");
 * console.log(ref.exportName); // "double"
 * ```
 */
export interface Work<F extends WorkFunction> {
  /** `"module"`: an export of a module; `"ffi"`: a native symbol. */
  readonly kind: "module" | "ffi";
  /** The module URL (kind `"module"`) or library path (kind `"ffi"`). */
  readonly moduleUrl: string;
  /** The export (kind `"module"`) or symbol (kind `"ffi"`) name. */
  readonly exportName: string;
  /** The native signature (kind `"ffi"` only). */
  readonly signature?: NativeSignature;
  /**
   * Never set: carries `F` for type checking.
   * @ignore
   */
  readonly [_type]?: F;
}

/**
 * Name an exported function of a module as work for an executor.
 *
 * The module is imported in the worker the first time it runs work from
 * it (and stays loaded there). An exported generator function runs as a
 * task on the worker's own event loop (via `run()`), as does an async
 * function, so it may use this module's coroutines; any other function is
 * called, and a Promise it returns is awaited.
 *
 * @param moduleUrl The module, usually `import.meta.url` of the module that
 *   defines the function (a string or URL; relative specifiers are not
 *   allowed, since the worker resolves nothing against the caller).
 * @param exportName The name of the exported function.
 * @returns A reference to pass to `submit`, `map`, `runInExecutor`,
 *   `toThread`.
 * @throws {TypeError} if `moduleUrl` is not an absolute URL or `exportName`
 *   is empty. A module that cannot be loaded, or has no such export, fails
 *   the job that names it, with an error that names both.
 *
 * @example A typed reference made once
 * ```ts
 * import { ThreadPoolExecutor, work } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * // In a module of your program (here: examples/_work.ts):
 * //   export function add(a: number, b: number): number {
 * //     return a + b;
 * //   }
 * //   export const addWork = work<typeof add>(import.meta.url, "add");
 * const addWork = work<(a: number, b: number) => number>(
 *   new URL("../examples/_work.ts", import.meta.url),
 *   "add",
 * );
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * assert.equal(await pool.submit(addWork, 2, 3), 5);
 * ```
 */
export function work<F extends WorkFunction>(
  moduleUrl: string | URL,
  exportName: string,
): Work<F> {
  const url = absoluteUrl(moduleUrl, "name work");
  if (typeof exportName !== "string" || exportName === "") {
    throw new TypeError(
      `Cannot name work: the export name must be a non-empty string, got ${
        String(exportName)
      }`,
    );
  }
  return Object.freeze({ kind: "module", moduleUrl: url, exportName });
}

/** Native types a work's FFI symbol may take and return (numbers only). */
export type NativeNumberType =
  | "i8"
  | "u8"
  | "i16"
  | "u16"
  | "i32"
  | "u32"
  | "f32"
  | "f64"
  | "i64"
  | "u64"
  | "isize"
  | "usize";

/**
 * The signature of a native symbol run as work: number parameters and a
 * number or `"void"` result (pointers and buffers cannot cross threads).
 *
 * @example
 * ```ts
 * import type { NativeSignature } from "./work.ts";
 * const sig: NativeSignature = { parameters: ["u32"], result: "u32" };
 * console.log(sig.result);
 * ```
 */
export interface NativeSignature {
  /** Parameter types, in order. */
  readonly parameters: readonly NativeNumberType[];
  /** The result type. */
  readonly result: NativeNumberType | "void";
}

/**
 * The JavaScript argument types for native parameter types `P`: numbers,
 * or bigints too for 64-bit ones.
 *
 * @example
 * ```ts
 * import type { NativeArgs } from "./work.ts";
 * const a: NativeArgs<["u32", "i64"]> = [1, 2n];
 * console.log(a);
 * ```
 */
export type NativeArgs<P extends readonly unknown[]> = {
  -readonly [K in keyof P]: P[K] extends "i64" | "u64" | "isize" | "usize"
    ? bigint | number
    : number;
};

/**
 * The JavaScript result type for native result type `R`.
 *
 * @example
 * ```ts
 * import type { NativeResult } from "./work.ts";
 * const r: NativeResult<"i32"> = 0;
 * console.log(r);
 * ```
 */
export type NativeResult<R> = R extends "void" ? void
  : R extends "i64" | "u64" | "isize" | "usize" ? bigint | number
  : number;

/**
 * The function type of a native symbol with signature `S`.
 *
 * @example
 * ```ts
 * import type { NativeFunction } from "./work.ts";
 * type Sleep = NativeFunction<{ parameters: ["u32"]; result: "u32" }>;
 * const f: Sleep = (n) => n;
 * console.log(f(1));
 * ```
 */
export type NativeFunction<S extends NativeSignature> = (
  ...args: NativeArgs<S["parameters"]>
) => NativeResult<S["result"]>;

/**
 * Name a blocking native call as work: `symbol` of the shared library
 * `library`, with its signature. The worker opens the library (Workers
 * inherit the FFI permission) and calls the symbol synchronously, so the
 * call blocks that pool thread and never the loop.
 *
 * A native call that is running cannot be interrupted: `shutdown()` and
 * `terminate` wait for it to return (the process cannot exit before).
 *
 * @param library A path or soname, e.g. `"libc.so.6"`.
 * @param symbol The symbol name.
 * @param signature Its parameter and result types.
 * @throws {TypeError} on an empty name or a type that cannot cross threads.
 *
 * @example `usleep` on a pool thread
 * ```ts
 * import { nativeWork, ThreadPoolExecutor } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const lib = Deno.build.os === "darwin" ? "libSystem.B.dylib" : "libc.so.6";
 * const usleep = nativeWork(lib, "usleep", { parameters: ["u32"], result: "i32" });
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * assert.equal(await pool.submit(usleep, 1000), 0);
 * ```
 */
export function nativeWork<const S extends NativeSignature>(
  library: string,
  symbol: string,
  signature: S,
): Work<NativeFunction<S>> {
  if (typeof library !== "string" || library === "") {
    throw new TypeError(
      "Cannot name native work: the library must be a non-empty string",
    );
  }
  if (typeof symbol !== "string" || symbol === "") {
    throw new TypeError(
      "Cannot name native work: the symbol must be a non-empty string",
    );
  }
  for (const t of [...signature.parameters, signature.result]) {
    if (t !== "void" && !NUMBER_TYPES.has(t)) {
      throw new TypeError(
        `Cannot name native work ${symbol}: type ${
          String(t)
        } cannot cross threads, use number types`,
      );
    }
  }
  return Object.freeze({
    kind: "ffi",
    moduleUrl: library,
    exportName: symbol,
    signature: Object.freeze({
      parameters: Object.freeze([...signature.parameters]),
      result: signature.result,
    }),
  });
}

const NUMBER_TYPES: ReadonlySet<string> = new Set([
  "i8",
  "u8",
  "i16",
  "u16",
  "i32",
  "u32",
  "f32",
  "f64",
  "i64",
  "u64",
  "isize",
  "usize",
]);

/** @internal Check that `w` is a work reference; `what` names the action. */
export function _checkWork(w: unknown, what: string): Work<WorkFunction> {
  if (
    typeof w !== "object" || w === null ||
    ((w as Work<WorkFunction>).kind !== "module" &&
      (w as Work<WorkFunction>).kind !== "ffi") ||
    typeof (w as Work<WorkFunction>).exportName !== "string"
  ) {
    throw new TypeError(
      `Cannot ${what}: expected a work reference made by work() or nativeWork(), got ${
        typeof w === "function"
          ? "a function (functions cannot cross threads)"
          : String(w)
      }`,
    );
  }
  return w as Work<WorkFunction>;
}

function absoluteUrl(u: string | URL, what: string): string {
  try {
    return new URL(u).href;
  } catch {
    throw new TypeError(
      `Cannot ${what}: ${
        String(u)
      } is not an absolute URL, pass import.meta.url or a file: URL`,
    );
  }
}
