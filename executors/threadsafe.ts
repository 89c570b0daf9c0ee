/**
 * `runCoroutineThreadsafe`: hand a coroutine to a loop from code that does
 * not run on it — a host callback (a timer, a Worker's message, an FFI
 * callback), another loop, or another thread through a `LoopPort`.
 *
 * A coroutine cannot cross threads; to run one on a Worker's own loop,
 * name it as work (`work()` of an exported generator or async function):
 * a pool worker runs it as the main task of its own event loop and the
 * result comes back on ours. The other way, from a Worker onto our loop,
 * it is named too: `runCoroutineThreadsafe(work, remote, ...args)` with
 * the `remote` end of a `LoopPort`.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import { type CoroutineLike, Task } from "../futures/task.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { copyOutcome, hold } from "./_loop.ts";
import { currentLoop } from "./_host_loop.ts";
import { _runRemote, type RemoteLoop } from "./loop_port.ts";
import type { Work, WorkFunction, WorkResult } from "./work.ts";

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
  loop: LoopLike & { callSoonThreadsafe(callback: () => void): unknown },
): Future<T>;
/**
 * From another thread: run the named coroutine `work(...args)` (an
 * exported generator or async function, or any function, see `work()`)
 * as a task on the loop at the other end of `remote` (a `LoopPort`'s
 * end, sent to this thread). Returns a future on this thread's running
 * loop, or one to `await` from plain code. Cancelling it cancels the task.
 *
 * @param work The coroutine, named.
 * @param remote The loop's end of its `LoopPort`.
 * @param args Its arguments (structured-cloned).
 * @throws {TypeError} if `work` is not a work reference or an argument
 *   cannot be cloned (nothing is sent).
 * @throws {RuntimeError} if the `LoopPort` is closed.
 */
export function runCoroutineThreadsafe<F extends WorkFunction>(
  work: Work<F>,
  remote: RemoteLoop,
  ...args: Parameters<F>
): Future<WorkResult<F>>;
export function runCoroutineThreadsafe<T>(
  coro: CoroutineLike<T> | Work<WorkFunction>,
  loop:
    | (LoopLike & { callSoonThreadsafe(callback: () => void): unknown })
    | RemoteLoop,
  ...args: unknown[]
): Future<T> {
  if (isRemote(loop)) {
    return _runRemote(coro as Work<WorkFunction>, loop, args) as Future<T>;
  }
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
      task = new Task(coro as CoroutineLike<T>, { loop });
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

function isRemote(loop: unknown): loop is RemoteLoop {
  return typeof loop === "object" && loop !== null &&
    typeof (loop as RemoteLoop).bell === "number" &&
    typeof (loop as { isClosed?: unknown }).isClosed !== "function";
}
