/**
 * The loop's side of executors, as asyncio: `loop.runInExecutor`,
 * `toThread`, the loop's default executor, `wrapFuture`.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import { RuntimeError } from "../futures/errors.ts";
import { _requireLoop } from "../futures/_loop.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { fromPromise } from "../futures/promise.ts";
import type { Work, WorkFunction, WorkResult } from "./work.ts";
import { Executor } from "./executor.ts";
import { ThreadPoolExecutor } from "./thread_pool.ts";
import { copyOutcome, hold } from "./_loop.ts";

interface LoopExecutors {
  executor: Executor | null;
  shutdownCalled: boolean;
}

// The default executor of each loop, kept here so the loop holds no field.
const defaults = new WeakMap<LoopLike, LoopExecutors>();

function stateOf(loop: LoopLike): LoopExecutors {
  let s = defaults.get(loop);
  if (s === undefined) {
    s = { executor: null, shutdownCalled: false };
    defaults.set(loop, s);
  }
  return s;
}

/**
 * `loop.runInExecutor(executor, work, ...args)`: run `work(...args)` in
 * `executor`, or in the loop's default executor (a `ThreadPoolExecutor`
 * made on first use) when it is null; returns a future on `loop`.
 *
 * @throws {RuntimeError} if the loop is closed, or `executor` is null after
 *   `shutdownDefaultExecutor()`.
 *
 * @example
 * ```ts
 * import { getRunningLoop, run } from "../mod.ts";
 * import { squareWork } from "../examples/_work.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await run(async () => {
 *   return await getRunningLoop().runInExecutor(null, squareWork, 5);
 * }), 25);
 * ```
 */
export function runInExecutor<F extends WorkFunction>(
  loop: LoopLike,
  executor: Executor | null,
  work: Work<F>,
  ...args: Parameters<F>
): Future<WorkResult<F>> {
  if (loop.isClosed()) {
    throw new RuntimeError(
      "Cannot run work in an executor: the event loop is closed",
    );
  }
  if (executor === null) {
    const s = stateOf(loop);
    if (s.shutdownCalled) {
      throw new RuntimeError(
        "Cannot run work in the default executor: shutdownDefaultExecutor() was called",
      );
    }
    executor = s.executor ??= new ThreadPoolExecutor({
      threadNamePrefix: "asyncio",
    });
  } else if (!(executor instanceof Executor)) {
    throw new TypeError(
      "Cannot run work in an executor: expected an Executor or null",
    );
  }
  return wrapFuture(executor.submit(work, ...args), { loop });
}

/**
 * `loop.setDefaultExecutor(executor)`: the executor `runInExecutor(null,
 * ...)` and `toThread` use.
 *
 * @throws {TypeError} if `executor` is not an `Executor`.
 *
 * @example
 * ```ts
 * import { newEventLoop, ThreadPoolExecutor } from "../mod.ts";
 * using loop = newEventLoop();
 * using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * loop.setDefaultExecutor(pool);
 * ```
 */
export function setDefaultExecutor(loop: LoopLike, executor: Executor): void {
  if (!(executor instanceof Executor)) {
    throw new TypeError(
      "Cannot set the default executor: expected an Executor (e.g. a ThreadPoolExecutor)",
    );
  }
  stateOf(loop).executor = executor;
}

/**
 * `loop.shutdownDefaultExecutor(timeout)`: shut the default executor down
 * and wait for its jobs and threads, at most `timeout` seconds (then warn,
 * as asyncio, and stop waiting). `run()` calls it on exit. Afterwards
 * `runInExecutor(null, ...)` is refused.
 *
 * @example
 * ```ts
 * import { getRunningLoop, run } from "../mod.ts";
 * await run(function* () {
 *   yield* getRunningLoop().shutdownDefaultExecutor();
 * });
 * ```
 */
export function shutdownDefaultExecutor(
  loop: LoopLike,
  timeout: number | null = null,
): Future<void> {
  const s = stateOf(loop);
  s.shutdownCalled = true;
  const done = new Future<void>({ loop });
  const ex = s.executor;
  if (ex === null) {
    done.setResult();
    return done;
  }
  const fut = wrapFuture(ex.shutdown({ wait: true }), { loop });
  const timer = timeout === null ? null : loop.callLater(timeout, () => {
    if (done.done()) return;
    console.warn(
      `The executor did not finish joining its threads within ${timeout} seconds.`,
    );
    done.setResult();
  });
  fut.addDoneCallback(() => {
    timer?.cancel();
    if (!done.done()) done.setResult();
  });
  return done;
}

/**
 * `toThread(work, ...args)`: run `work(...args)` in the running loop's
 * default executor and await it — asyncio's `to_thread`, with the
 * function named (functions cannot cross threads).
 *
 * @throws {Error} when no loop is running.
 *
 * @example
 * ```ts
 * import { run, toThread } from "../mod.ts";
 * import { addWork } from "../examples/_work.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await run(function* () {
 *   return yield* toThread(addWork, 2, 3);
 * }), 5);
 * ```
 */
export function toThread<F extends WorkFunction>(
  work: Work<F>,
  ...args: Parameters<F>
): Future<WorkResult<F>> {
  const loop = _requireLoop("run work in a thread");
  return runInExecutor(loop, null, work, ...args);
}

/**
 * A future on `loop` that settles like `future` — asyncio's `wrap_future`:
 * for a future of another loop (or made outside any loop, as an executor
 * returns there), or a Promise. The same future if it is already on
 * `loop`. Cancelling the result cancels the source.
 *
 * @param future A future or a Promise.
 * @param options.loop The loop; default the running loop.
 *
 * @example
 * ```ts
 * import { run, ThreadPoolExecutor, wrapFuture } from "../mod.ts";
 * import { squareWork } from "../examples/_work.ts";
 * import assert from "node:assert/strict";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const outside = pool.submit(squareWork, 3); // made outside any loop
 * assert.equal(await run(function* () {
 *   return yield* wrapFuture(outside);
 * }), 9);
 * ```
 */
export function wrapFuture<T>(
  future: Future<T> | PromiseLike<T>,
  options?: { loop?: LoopLike },
): Future<T> {
  const loop = options?.loop ?? _requireLoop("wrap a future");
  if (!(future instanceof Future)) {
    if (typeof (future as PromiseLike<T>)?.then !== "function") {
      throw new TypeError(
        "Cannot wrap a future: expected a Future or a Promise",
      );
    }
    return fromPromise(future, { loop });
  }
  if (future.getLoop() === loop) return future;
  const out = new Future<T>({ loop });
  hold(loop, out);
  future.addDoneCallback((src) => {
    if (!loop.isClosed()) copyOutcome(src, out as Future<unknown>);
  });
  out.addDoneCallback(() => {
    if (out.cancelled()) future.cancel();
  });
  return out;
}
