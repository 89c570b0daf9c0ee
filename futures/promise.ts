/**
 * Host promises and our futures, both ways: await a Promise from a generator
 * coroutine (`yield* fromPromise(p)`), or hand a Future to code that wants a
 * real Promise (`toPromise(fut)`).
 *
 * @module
 */

import type { LoopLike } from "./_loop.ts";
import { _requireLoop } from "./_loop.ts";
import { Future } from "./future.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;

/**
 * A Future on the running loop (or `options.loop`) that settles like
 * `promise`. While the promise is pending, the loop keeps giving the JS thread
 * back to Deno so the promise can settle. Cancelling the Future does not stop
 * the host operation (JS promises cannot be cancelled); its outcome is ignored.
 *
 * @param promise Any Promise or thenable.
 * @param options.loop The loop; default the running loop.
 * @returns A Future to `yield*` (or `await`).
 *
 * @example Awaiting fetch from a generator coroutine
 * ```ts
 * import { fromPromise, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const v = await run(function* () {
 *   return yield* fromPromise(Promise.resolve(7));
 * });
 * assert.equal(v, 7);
 * ```
 */
export function fromPromise<T>(
  promise: PromiseLike<T>,
  options?: { loop?: LoopLike },
): Future<T> {
  const loop = options?.loop ?? _requireLoop("await a promise");
  const fut = new Future<T>({ loop });
  let counted = true;
  loop[_hostRef](1);
  const release = (): void => {
    if (counted) {
      counted = false;
      loop[_hostRef](-1);
    }
  };
  // Once cancelled, the loop need not wait for the host on our account.
  fut.addDoneCallback(release);
  Promise.resolve(promise).then(
    (value) => {
      release();
      if (!fut.done() && !loop.isClosed()) fut.setResult(value);
    },
    (err) => {
      release();
      if (!fut.done() && !loop.isClosed()) {
        fut.setException(err === undefined ? new Error("undefined") : err);
      }
    },
  );
  return fut;
}

/**
 * A real Promise that settles like `future` (rejects with `CancelledError`
 * if it is cancelled). `await future` works without it; use this where an API
 * insists on a `Promise` instance.
 *
 * @example
 * ```ts
 * import { run, sleep, toPromise, createTask } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(async () => {
 *   const p = toPromise(createTask(async () => 5));
 *   assert.ok(p instanceof Promise);
 *   assert.equal(await p, 5);
 * });
 * ```
 */
export function toPromise<T>(future: Future<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    future.addDoneCallback((f) => {
      try {
        resolve(f.result());
      } catch (err) {
        reject(err);
      }
    });
  });
}
