/**
 * `ensureFuture(awaitable)`: a Future for a Future, a coroutine or a Promise.
 *
 * @module
 */

import type { LoopLike } from "./_loop.ts";
import { _defaultLoop } from "./_loop.ts";
import { Future } from "./future.ts";
import { type CoroutineLike, Task } from "./task.ts";
import { fromPromise } from "./promise.ts";
import { RuntimeError } from "./errors.ts";

/**
 * Anything our functions can wait for.
 *
 * @example
 * ```ts
 * import { type Awaitable, ensureFuture, run } from "../mod.ts";
 * await run(function* () {
 *   const aw: Awaitable<number> = Promise.resolve(1);
 *   console.log(yield* ensureFuture(aw));
 * });
 * ```
 */
export type Awaitable<T> = Future<T> | CoroutineLike<T> | PromiseLike<T>;

/**
 * Return `awaitable` itself if it is a Future, a Task running it if it is a
 * coroutine (generator or async function), or a Future that follows it if it
 * is a Promise.
 *
 * @param awaitable The thing to wait for.
 * @param options.loop The loop; default the running loop.
 * @throws {TypeError} for anything else.
 * @throws {RuntimeError} for a Future of another loop.
 *
 * @example
 * ```ts
 * import { ensureFuture, Future, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const f = ensureFuture(Promise.resolve(1));
 *   assert.ok(f instanceof Future);
 *   assert.equal(yield* f, 1);
 * });
 * ```
 */
export function ensureFuture<T>(
  awaitable: Awaitable<T>,
  options?: { loop?: LoopLike },
): Future<T> {
  if (awaitable instanceof Future) {
    if (options?.loop !== undefined && awaitable.getLoop() !== options.loop) {
      throw new RuntimeError(
        "Cannot use this future: it belongs to a different event loop",
      );
    }
    return awaitable;
  }
  const loop = options?.loop ?? _defaultLoop("wrap an awaitable");
  if (
    typeof awaitable === "function" ||
    (typeof awaitable === "object" && awaitable !== null &&
      (typeof (awaitable as { next?: unknown }).next === "function" ||
        // Our awaitables (sleep(), lock.acquire()) run as coroutines, not
        // as host promises.
        typeof (awaitable as Iterable<unknown>)[Symbol.iterator] ===
          "function"))
  ) {
    return new Task(awaitable as CoroutineLike<T>, { loop });
  }
  if (
    typeof awaitable === "object" && awaitable !== null &&
    typeof (awaitable as PromiseLike<T>).then === "function"
  ) {
    return fromPromise(awaitable as PromiseLike<T>, { loop });
  }
  throw new TypeError(
    `Cannot wait for ${
      awaitable === null ? "null" : typeof awaitable
    }: expected a Future, a coroutine or a Promise`,
  );
}
