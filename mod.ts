/**
 * asyncio for Deno: Python's asyncio — event loop, futures, tasks, structured
 * concurrency, synchronization primitives and queues — in TypeScript, on a
 * polling backend that calls `select`/`poll`/`epoll`/`kqueue` through Deno's
 * FFI, so a program can wait on any file descriptor.
 *
 * Two coroutine forms are first-class: generator coroutines (`function*`,
 * awaiting with `yield*`, the fastest, with asyncio's exact semantics) and
 * async functions (`await`).
 *
 * @example A first program
 * ```ts
 * import { createTask, gather, run, sleep } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * function* worker(name: string, delay: number) {
 *   yield* sleep(delay);
 *   return name;
 * }
 *
 * const names = await run(function* () {
 *   const a = createTask(worker("a", 0.02));
 *   const b = createTask(worker("b", 0.01));
 *   return yield* gather(a, b);
 * });
 * assert.deepEqual(names, ["a", "b"]);
 * ```
 *
 * @module
 */

// From poll/, only what Python has as builtins (the OS errors) and the types
// the loop's API names. The selectors and the fd helpers (`pipe`, `read`,
// `close`, ...) are the `./selectors` subpath, as Python has `selectors`
// beside `asyncio`: bare names a program's own code would collide with.
export {
  BlockingIOError,
  BrokenPipeError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  InterruptedError,
  NotADirectoryError,
  OSError,
  type OSErrorOptions,
  PermissionError,
  ProcessLookupError,
} from "./poll/errors.ts";
export type {
  FileObject,
  HasFileno,
  Selector,
  SelectorKey,
  SelectResult,
} from "./poll/types.ts";
export * from "./futures/mod.ts";
export * from "./loop/mod.ts";
export * from "./net/mod.ts";
export * from "./tls/mod.ts";
export * from "./subprocess/mod.ts";
export * from "./executors/mod.ts";
