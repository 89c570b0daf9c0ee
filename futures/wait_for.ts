/**
 * `waitFor(aw, timeout)`: wait with a deadline — asyncio's `wait_for`, built
 * on `timeout()` so an outside cancellation that races with the deadline is
 * never swallowed (asyncio's gh-86296).
 *
 * @module
 */

import { CancelledError, TimeoutError } from "./errors.ts";
import { type Awaitable as Aw, ensureFuture } from "./ensure_future.ts";
import { Future } from "./future.ts";
import type { Coro } from "./task.ts";
import { timeout } from "./timeout.ts";
import type { Awaitable } from "./_wait.ts";
import { dual } from "./_dual.ts";

/**
 * Wait for `aw` (a Future, coroutine or Promise) for at most `seconds`. On
 * timeout, `aw` is cancelled *and awaited*, then `TimeoutError` is raised
 * (its `cause` is the `CancelledError`); if `aw` refuses the cancellation
 * and returns a value, that value is returned. `null` waits forever; `<= 0`
 * gives `aw` no time: if not done, it is cancelled and awaited at once
 * (Python 3.12). Cancelling the waiting task cancels `aw` too, and that
 * `CancelledError` always propagates, even when it races the deadline.
 *
 * An async function (or a Promise) awaiting a plain host promise cannot be
 * interrupted: the cancellation lands at its next await of one of our
 * futures, and waitFor, which awaits `aw` after cancelling it, returns only
 * then. To end on time, give the host API the task's signal (`fetch(url, {
 * signal: currentTask()!.signal })`) or await `fromPromise(promise)`.
 *
 * @param aw What to wait for.
 * @param seconds The time limit in seconds, or null for none.
 * @returns The result of `aw`: `yield*` it or `await` it, once.
 * @throws {TimeoutError} when the deadline passes first.
 * @throws {TypeError} for a `seconds` that is not a number or null.
 *
 * @example Generator and async forms
 * ```ts
 * import { run, sleep, waitFor, TimeoutError } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   assert.equal(yield* waitFor(sleep(1, "ok"), 5), "ok");
 *   try {
 *     yield* waitFor(sleep(10), 1);
 *     assert.fail("not reached");
 *   } catch (err) {
 *     assert.ok(err instanceof TimeoutError);
 *   }
 * }, { clock: "virtual" });
 *
 * await run(async () => {
 *   assert.equal(await waitFor(sleep(1, "ok"), 5), "ok");
 *   await assert.rejects(async () => await waitFor(sleep(10), 1), TimeoutError);
 * }, { clock: "virtual" });
 * ```
 */
export function waitFor<T>(aw: Aw<T>, seconds: number | null): Awaitable<T> {
  if (
    seconds !== null && (typeof seconds !== "number" || Number.isNaN(seconds))
  ) {
    throw new TypeError(
      `Cannot wait: timeout must be seconds or null, got ${String(seconds)}`,
    );
  }
  return dual(() => waitForGen(aw, seconds), "waitFor");
}

function* waitForGen<T>(aw: Aw<T>, seconds: number | null): Coro<T> {
  const fut = ensureFuture(aw);
  if (seconds !== null && seconds <= 0) {
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    // It may have refused the cancellation (a result) or failed cleaning up.
    try {
      return fut.result();
    } catch (err) {
      if (err instanceof CancelledError) {
        throw new TimeoutError("Timed out", undefined, { cause: err });
      }
      throw err;
    }
  }
  return yield* timeout(seconds).run(function* () {
    return yield* fut;
  });
}

/**
 * Cancel `fut` and wait until it is done, on a future of our own: if the
 * waiting task is cancelled meanwhile, that `CancelledError` is its own
 * (from outside) and propagates, rather than being read as `fut`'s.
 */
function* cancelAndWait(fut: Future<unknown>): Coro<void> {
  const waiter = new Future<void>({ loop: fut.getLoop() });
  const release = (): void => {
    if (!waiter.done()) waiter.setResult();
  };
  fut.addDoneCallback(release);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(release);
  }
}
