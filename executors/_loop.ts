/**
 * What executors need from an event loop: `LoopLike` plus the thread-safe
 * scheduling call. `loop/` implements it; executors never import `loop/`.
 *
 * @module
 */

import type { LoopLike } from "../futures/_loop.ts";
import type { Future } from "../futures/future.ts";
import * as loopKeys from "../loop/_keys.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _executorJobs: typeof loopKeys._executorJobs = loopKeys._executorJobs;
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;

/** A loop executors can hand results to. @internal */
export interface ExecutorLoop extends LoopLike {
  /** Schedule `callback(...args)` and wake the loop, from any host code. */
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): unknown;
}

/** A loop that counts pending executor jobs (a virtual clock waits for them). */
interface CountingLoop extends LoopLike {
  [_executorJobs]?: number;
}

/** A job for `loop` starts (+1) or ends (-1). @internal */
export function countJob(loop: LoopLike, delta: 1 | -1): void {
  const l = loop as CountingLoop;
  if (typeof l[_executorJobs] === "number") l[_executorJobs] += delta;
}

/** Count `fut` as host work on `loop` until it is done. @internal */
export function hold(loop: LoopLike, fut: Future<unknown>): void {
  loop[_hostRef](1);
  fut.addDoneCallback(() => loop[_hostRef](-1));
}

/** Copy the outcome of `src` (done) into `dst`, unless `dst` is done. @internal */
export function copyOutcome(src: Future<unknown>, dst: Future<unknown>): void {
  if (dst.done()) return;
  if (src.cancelled()) dst.cancel();
  else if (src.exception() !== undefined) dst.setException(src.exception());
  else dst.setResult(src.result());
}
