/**
 * `shield(aw)`: protect an awaitable from cancellation — asyncio's `shield`.
 *
 * @module
 */

import { type Awaitable, ensureFuture } from "./ensure_future.ts";
import { Future } from "./future.ts";

/**
 * A Future that follows `aw` but whose cancellation does not cancel `aw`:
 * the task awaiting the shield gets `CancelledError`, while `aw` runs on
 * (the loop keeps a task alive until it ends). If `aw` itself is cancelled,
 * the shield is cancelled too; otherwise its result or error comes through.
 * An `aw` already done is returned as it is.
 *
 * @param aw A Future, coroutine or Promise.
 * @returns A Future following `aw`: `yield*` it or `await` it.
 *
 * @example The inner task outlives a cancelled shield
 * ```ts
 * import { createTask, run, shield, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const inner = createTask(function* () {
 *     yield* sleep(1);
 *     return "saved";
 *   });
 *   const outer = shield(inner);
 *   outer.cancel();
 *   assert.ok(outer.cancelled());
 *   assert.equal(yield* inner, "saved");
 * }, { clock: "virtual" });
 * ```
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = ensureFuture(aw);
  if (inner.done()) return inner;
  const outer = new Future<T>({ loop: inner.getLoop() });
  const innerDone = (f: Future<T>): void => {
    if (outer.cancelled()) {
      // Nobody will look at it through the shield: mark it seen.
      if (!f.cancelled()) f.exception();
      return;
    }
    if (f.cancelled()) {
      outer.cancel();
      return;
    }
    const exc = f.exception();
    if (exc !== undefined) outer.setException(exc);
    else outer.setResult(f.result());
  };
  inner.addDoneCallback(innerDone);
  outer.addDoneCallback(() => {
    if (!inner.done()) inner.removeDoneCallback(innerDone);
  });
  return outer;
}
