/**
 * `runCoroutineThreadsafe`: hand a coroutine to a loop from code that does
 * not run on it — a host callback (a timer, a Worker's message, an FFI
 * callback), or another loop.
 *
 * A coroutine cannot cross threads; to run one on a Worker's own loop,
 * name it as work (`work()` of an exported generator or async function):
 * a pool worker runs it as the main task of its own event loop and the
 * result comes back on ours.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import { type CoroutineLike, Task } from "../futures/task.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { copyOutcome, hold } from "./_loop.ts";
import { currentLoop } from "./_host_loop.ts";

/**
 * Schedule `coro` as a task on `loop` (waking it) and return a future of
 * its result: a future on the loop running where this is called, or, from
 * plain host code, one to `await`. Cancelling that future cancels the task.
 *
 * @param coro A generator (a called `function*`), a generator function or
 *   an async function.
 * @param loop The loop to run it on; it may be waiting or running.
 * @throws {TypeError} if `coro` is not a coroutine (nothing is scheduled).
 *
 * @example From a host timer, onto a running loop
 * ```ts
 * import { getRunningLoop, run, runCoroutineThreadsafe, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const got = await run(async () => {
 *   const loop = getRunningLoop();
 *   const outside = new Promise<number>((resolve) => {
 *     setTimeout(async () => {
 *       resolve(await runCoroutineThreadsafe(function* () {
 *         yield* sleep(0.01);
 *         return 7;
 *       }, loop));
 *     }, 1);
 *   });
 *   return await outside;
 * });
 * assert.equal(got, 7);
 * ```
 */
export function runCoroutineThreadsafe<T>(
  coro: CoroutineLike<T>,
  loop: LoopLike & {
    callSoonThreadsafe(callback: () => void): unknown;
  },
): Future<T> {
  if (
    typeof coro !== "function" &&
    (typeof coro !== "object" || coro === null ||
      typeof (coro as Iterable<unknown>)[Symbol.iterator] !== "function")
  ) {
    throw new TypeError(
      "Cannot run a coroutine threadsafe: expected a generator, a generator function or an async function",
    );
  }
  if (loop.isClosed()) {
    throw new Error(
      "Cannot run a coroutine threadsafe: the target event loop is closed",
    );
  }
  const here = currentLoop();
  const out = new Future<T>({ loop: here });
  if (here !== loop) hold(here, out);
  loop.callSoonThreadsafe(() => {
    if (out.done()) return;
    let task: Task<T>;
    try {
      task = new Task(coro, { loop });
    } catch (err) {
      out.setException(err);
      return;
    }
    task.addDoneCallback((t) => copyOutcome(t, out as Future<unknown>));
    out.addDoneCallback(() => {
      if (out.cancelled()) task.cancel();
    });
  });
  return out;
}
