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
import { _describe } from "./_describe.ts";

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
 * Whether `x` is something `ensureFuture` accepts: a Future, a function, an
 * iterable (generator, our awaitables) or a thenable.
 * @internal
 */
export function _isAwaitable(x: unknown): boolean {
  if (typeof x === "function") return true;
  if (typeof x !== "object" || x === null) return false;
  return x instanceof Future ||
    typeof (x as Iterable<unknown>)[Symbol.iterator] === "function" ||
    typeof (x as PromiseLike<unknown>).then === "function";
}

/**
 * Throw a `TypeError` (naming `what`) unless `aws` is a collection of
 * awaitables: a single Future, coroutine or Promise is not one (asyncio's
 * "expect an iterable of futures"), and every member must be awaitable.
 * Checked before anything is wrapped, so nothing starts on bad input.
 * @internal
 */
export function _checkAwaitables(what: string, aws: unknown): unknown[] {
  if (
    aws instanceof Future || typeof aws === "function" ||
    (typeof aws === "object" && aws !== null &&
      (typeof (aws as { next?: unknown }).next === "function" ||
        typeof (aws as { then?: unknown }).then === "function"))
  ) {
    throw new TypeError(
      `Cannot ${what}: expected a collection of awaitables, got a single ${
        aws instanceof Future
          ? "Future"
          : typeof aws === "function"
          ? "function"
          : typeof (aws as { next?: unknown }).next === "function"
          ? "coroutine"
          : "Promise"
      }, wrap it in an array`,
    );
  }
  if (
    typeof aws !== "object" || aws === null ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot ${what}: expected a collection of awaitables, got ${
        _describe(aws)
      }`,
    );
  }
  const list = [...(aws as Iterable<unknown>)];
  for (const aw of list) {
    if (!_isAwaitable(aw)) {
      throw new TypeError(
        `Cannot ${what}: ${
          _describe(aw)
        } is not awaitable, expected a Future, a coroutine or a Promise`,
      );
    }
  }
  return list;
}

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
      _describe(awaitable)
    }: expected a Future, a coroutine or a Promise`,
  );
}
