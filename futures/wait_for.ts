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
import { timeout } from "./timeout.ts";
import type { Awaitable } from "./_wait.ts";
import { _describe } from "./_describe.ts";
import { _requireLoop } from "./_loop.ts";
import { RuntimeError } from "./errors.ts";
import { type Coro, Task } from "./task.ts";

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
      `Cannot wait: timeout must be seconds or null, got ${_describe(seconds)}`,
    );
  }
  if (
    aw === null ||
    (typeof aw !== "object" && typeof aw !== "function") ||
    (typeof aw === "object" && !(aw instanceof Future) &&
      typeof (aw as Iterable<unknown>)[Symbol.iterator] !== "function" &&
      typeof (aw as PromiseLike<T>).then !== "function")
  ) {
    throw new TypeError(
      `Cannot wait for ${
        _describe(aw)
      }: expected a Future, a coroutine or a Promise`,
    );
  }
  return new WaitFor(aw, seconds);
}

/**
 * As Python 3.12+, `aw` is awaited right inside the timeout scope, in the
 * caller's task: it starts at once, `currentTask()` in it is the caller, and
 * the caller's cancellation reaches it directly. (An async function given
 * to a generator caller, and a generator given to an async caller, still
 * need a task of their own: one form cannot drive the other.)
 */
class WaitFor<T> implements Awaitable<T> {
  readonly #aw: Aw<T>;
  readonly #seconds: number | null;
  #used = false;
  constructor(aw: Aw<T>, seconds: number | null) {
    this.#aw = aw;
    this.#seconds = seconds;
  }
  [Symbol.iterator](): Coro<T> {
    this.#use();
    return waitForGen(this.#aw, this.#seconds);
  }
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    try {
      this.#use();
    } catch (err) {
      return Promise.reject(err).then(null, onrejected);
    }
    return waitForAsync(this.#aw, this.#seconds).then(onfulfilled, onrejected);
  }
  #use(): void {
    if (this.#used) {
      throw new RuntimeError(
        "Cannot await waitFor() twice: call it again for a new operation",
      );
    }
    this.#used = true;
  }
}

function* waitForGen<T>(aw: Aw<T>, seconds: number | null): Coro<T> {
  if (seconds !== null && seconds <= 0) return yield* waitNoTime(aw);
  return yield* timeout(seconds).run(function* () {
    return yield* inline(aw);
  });
}

async function waitForAsync<T>(aw: Aw<T>, seconds: number | null): Promise<T> {
  if (seconds !== null && seconds <= 0) {
    return await new Task(waitNoTime(aw), { loop: _requireLoop("wait") });
  }
  return await timeout(seconds).run(async () => {
    if (aw instanceof Future) return await aw;
    if (typeof aw === "function") {
      // An async function runs here, in this task; a generator function
      // needs a task to step it.
      return isGeneratorFunction(aw)
        ? await ensureFuture(aw)
        : await (aw as () => PromiseLike<T>)();
    }
    const o = aw as { next?: unknown; then?: unknown };
    if (typeof o.next === "function" || typeof o.then !== "function") {
      return await ensureFuture(aw); // a generator object
    }
    return await (aw as PromiseLike<T>);
  });
}

/** `yield*` whatever `aw` is, in this task where the form allows. */
function* inline<T>(aw: Aw<T>): Coro<T> {
  if (aw instanceof Future) return yield* aw;
  if (typeof aw === "function") {
    return isGeneratorFunction(aw)
      ? yield* (aw as () => Coro<T>)()
      : yield* ensureFuture(aw); // an async function: its own task
  }
  if (typeof (aw as Iterable<unknown>)[Symbol.iterator] === "function") {
    return yield* aw as Iterable<unknown, T, unknown>;
  }
  return yield* ensureFuture(aw);
}

/** Timeout <= 0: no time at all, as asyncio 3.12 (the coroutine never starts). */
function* waitNoTime<T>(aw: Aw<T>): Coro<T> {
  const fut = ensureFuture(aw);
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

function isGeneratorFunction(fn: unknown): boolean {
  return Object.prototype.toString.call(fn) === "[object GeneratorFunction]";
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
