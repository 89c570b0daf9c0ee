/**
 * The worker's side of a job, shared by pool threads and pool processes:
 * find the function a work reference names and run it.
 *
 * @module
 */

import type { WorkRef } from "./_wire.ts";
import { openNative } from "./_host.ts";

// deno-lint-ignore no-explicit-any
type WorkFunction = (...args: any[]) => any;

const natives = new Map<string, WorkFunction>();
// Functions found before, by module URL and export name: a dynamic import
// of a loaded module still costs a resolution and promise hops per job.
const found = new Map<string, WorkFunction>();
// deno-lint-ignore no-explicit-any
let runner: ((main: any) => Promise<unknown>) | null = null;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;

/** The function `ref` names, loading its module or library. @internal */
export async function resolveWork(ref: WorkRef): Promise<WorkFunction> {
  if (ref.kind === "ffi") return native(ref);
  const key = `${ref.moduleUrl}#${ref.exportName}`;
  const known = found.get(key);
  if (known !== undefined) return known;
  let mod: Record<string, unknown>;
  try {
    mod = await import(ref.moduleUrl);
  } catch (err) {
    const e = new TypeError(
      `Cannot run work ${ref.exportName}: module ${ref.moduleUrl} could not be loaded: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
    throw e;
  }
  const fn = mod[ref.exportName];
  if (typeof fn !== "function") {
    throw new ReferenceError(
      `Cannot run work: module ${ref.moduleUrl} has no exported function ${ref.exportName}${
        fn === undefined ? "" : ` (it is a ${typeof fn})`
      }`,
    );
  }
  found.set(key, fn as WorkFunction);
  return fn as WorkFunction;
}

/**
 * Call `fn(...args)`: a generator function or async function runs as the
 * main task of a fresh event loop of this thread (so it may use this
 * module's coroutines); a plain function's Promise is awaited.
 * @internal
 */
export async function callWork(
  fn: WorkFunction,
  args: unknown[],
): Promise<unknown> {
  if (fn instanceof GeneratorFunction || fn instanceof AsyncFunction) {
    runner ??= (await import("../loop/run.ts")).run;
    return await runner(
      fn instanceof GeneratorFunction ? fn(...args) : () => fn(...args),
    );
  }
  return await fn(...args);
}

function native(ref: WorkRef): WorkFunction {
  const sig = ref.signature!;
  const key =
    `${ref.moduleUrl}\0${ref.exportName}\0${sig.parameters.join()}\0${sig.result}`;
  let fn = natives.get(key);
  if (fn === undefined) {
    let sym: WorkFunction;
    try {
      sym = openNative(
        ref.moduleUrl,
        ref.exportName,
        sig.parameters,
        sig.result,
      );
    } catch (err) {
      throw new TypeError(
        `Cannot run native work ${ref.exportName}: ${ref.moduleUrl} could not be opened or has no such symbol: ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
    const wide = sig.parameters.map((t) =>
      t === "i64" || t === "u64" || t === "isize" || t === "usize"
    );
    // Deno wants bigints or numbers for 64-bit parameters; accept either.
    fn = (...args: unknown[]) =>
      sym(
        ...args.map((a, i) => wide[i] && typeof a === "number" ? BigInt(a) : a),
      );
    natives.set(key, fn);
  }
  return fn;
}
