/**
 * `waitFor(aw, timeout)`: wait with a deadline — asyncio's `wait_for`, built
 * on `timeout()` so an outside cancellation that races with the deadline is
 * never swallowed (asyncio's gh-86296).
 *
 * @module
 */

import { CancelledError, TimeoutError } from "./errors.ts";
import { type Awaitable as Aw, ensureFuture } from "./ensure_future.ts";
import type { Coro } from "./task.ts";
import { timeout } from "./timeout.ts";
import type { Awaitable } from "./_wait.ts";
import { dual } from "./_dual.ts";

/**
 * Wait for `aw` (a Future, coroutine or Promise) for at most `seconds`. On
 * timeout, `aw` is cancelled *and awaited*, then `TimeoutError` is raised.
 * `null` waits forever; `<= 0` gives `aw` no time: if not done, it is
 * cancelled at once (Python 3.12).
 *
 * @throws {TimeoutError} when the deadline passes first.
 *
 * @example
 * ```ts
 * import { run, sleep, waitFor, TimeoutError } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   assert.equal(yield* waitFor(sleep(1, "ok"), 5), "ok");
 *   try {
 *     yield* waitFor(sleep(10), 1);
 *   } catch (err) {
 *     assert.ok(err instanceof TimeoutError);
 *   }
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
    fut.cancel();
    // Wait for it to finish cancelling (it may clean up, or even refuse).
    try {
      yield* fut;
    } catch (err) {
      if (err instanceof CancelledError && fut.cancelled()) {
        throw new TimeoutError("Timed out", undefined, { cause: err });
      }
      throw err;
    }
    return fut.result();
  }
  return yield* timeout(seconds).run(function* () {
    return yield* fut;
  });
}
