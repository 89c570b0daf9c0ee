/**
 * `sleep(delay, result?)`: suspend the current coroutine for `delay` seconds.
 *
 * @module
 */

import { _debug, _track, _untrack } from "./_debug.ts";
import { _requireLoop } from "./_loop.ts";
import { Future } from "./future.ts";
import { _awaitHook, Awaiter, type Cancellable } from "./_await.ts";
import { CancelledError } from "./errors.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _callSoon1: typeof futureKeys._callSoon1 = futureKeys._callSoon1;
const _fire: typeof futureKeys._fire = futureKeys._fire;
const _wakeup: typeof futureKeys._wakeup = futureKeys._wakeup;

/**
 * What `sleep()` returns: await it with `yield*` in a generator coroutine or
 * with `await` in an async function.
 *
 * @typeParam T The result the sleep resolves to.
 *
 * @example
 * ```ts
 * import { run, type Sleep, sleep } from "../mod.ts";
 * await run(async () => {
 *   const s: Sleep<string> = sleep(0, "x");
 *   console.log(await s); // x
 * });
 * ```
 */
export interface Sleep<T>
  extends PromiseLike<T>, Iterable<unknown, T, unknown> {}

class SleepImpl<T> implements Sleep<T> {
  readonly #delay: number;
  readonly #result: T;
  constructor(delay: number, result: T) {
    this.#delay = delay;
    this.#result = result;
  }

  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return this.#delay <= 0 ? new ZeroIter(this.#result) : this.#wait();
  }

  *#wait(): Generator<unknown, T, unknown> {
    const loop = _requireLoop("sleep");
    const fut = new Future<T>({ loop });
    const h = loop.callLater(this.#delay, setUnlessDone, fut, this.#result);
    try {
      return yield* fut;
    } finally {
      h.cancel();
    }
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const loop = _requireLoop("sleep");
    if (this.#delay <= 0) {
      // The hottest await there is: one small object, no Future.
      const zero = new ZeroSleep(this.#result);
      const a = new Awaiter<T, R1, R2>(zero, onfulfilled, onrejected);
      zero.awaiter = a;
      loop[_callSoon1](fireZeroSleep, zero as ZeroSleep<unknown>);
      return a.promise;
    }
    const fut = new Future<T>({ loop });
    const h = loop.callLater(this.#delay, setUnlessDone, fut, this.#result);
    fut.addDoneCallback(() => h.cancel());
    return _awaitHook(fut, onfulfilled, onrejected);
  }
}

/** A sleep reported if dropped unawaited (debug mode). */
class TrackedSleep<T> extends SleepImpl<T> {
  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    _untrack(this);
    return super[Symbol.iterator]();
  }
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    _untrack(this);
    return super.then(onfulfilled, onrejected);
  }
}

function setUnlessDone<T>(fut: Future<T>, result: T): void {
  if (!fut.done()) fut.setResult(result);
}

// The one value `yield* sleep(0)` yields: a bare yield, which makes the task
// reschedule itself for the next iteration. yield* hands this object through
// unchanged, so one frozen instance serves every task.
const BARE_YIELD: IteratorResult<unknown, never> = Object.freeze({
  done: false,
  value: undefined,
});

/** `yield* sleep(0)` without a generator object: yield once, then return. */
class ZeroIter<T> implements Iterator<unknown, T, unknown> {
  #yielded = false;
  readonly #result: T;
  constructor(result: T) {
    this.#result = result;
  }
  next(): IteratorResult<unknown, T> {
    if (this.#yielded) return { done: true, value: this.#result };
    this.#yielded = true;
    return BARE_YIELD;
  }
  throw(err: unknown): IteratorResult<unknown, T> {
    // Cancellation arrives here: it propagates to the sleeping coroutine.
    this.#yielded = true;
    throw err;
  }
  return(value: T): IteratorResult<unknown, T> {
    this.#yielded = true;
    return { done: true, value };
  }
}

/**
 * What an async function waits on in `await sleep(0)`: done at the next
 * iteration, or cancelled before (then it throws `CancelledError`).
 */
class ZeroSleep<T> implements Cancellable {
  #state = 0; // 0 pending, 1 cancelled, 2 done
  #msg: string | undefined = undefined;
  readonly #result: T;
  awaiter: { [_wakeup](): void } | null = null;
  constructor(result: T) {
    this.#result = result;
  }
  cancel(msg?: string): boolean {
    if (this.#state !== 0) return false;
    this.#state = 1;
    this.#msg = msg;
    return true;
  }
  done(): boolean {
    return this.#state !== 0;
  }
  result(): T {
    if (this.#state === 1) throw new CancelledError(this.#msg);
    return this.#result;
  }
  /** @internal */
  [_fire](): void {
    if (this.#state === 0) this.#state = 2;
    this.awaiter![_wakeup]();
  }
}

function fireZeroSleep(z: ZeroSleep<unknown>): void {
  z[_fire]();
}

/**
 * Suspend the current coroutine for `delay` seconds, then resume with
 * `result`. `sleep(0)` gives up the loop for exactly one iteration, so other
 * ready callbacks and tasks run. Cancelling the task while it sleeps throws
 * `CancelledError` at the sleep.
 *
 * @param delay Seconds (a float); `<= 0` means one loop iteration.
 * @param result The value the sleep resolves to.
 * @returns An awaitable: `yield* sleep(1)` or `await sleep(1)`.
 * @throws {TypeError} if `delay` is not a number (or is NaN).
 *
 * @example
 * ```ts
 * import { run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const v = await run(function* () {
 *   return yield* sleep(0.01, "done");
 * });
 * assert.equal(v, "done");
 * ```
 */
export function sleep(delay: number): Sleep<void>;
/**
 * Suspend for `delay` seconds, then resume with `result`.
 *
 * @example
 * ```ts
 * import { run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await run(async () => await sleep(0, "r")), "r");
 * ```
 */
export function sleep<T>(delay: number, result: T): Sleep<T>;
export function sleep<T>(delay: number, result?: T): Sleep<T | undefined> {
  // The error and the debug-mode copy are built in cold functions: sleep(0)
  // runs at every switch, and a small body inlines.
  if (typeof delay !== "number" || Number.isNaN(delay)) badDelay(delay);
  if (_debug.on) return trackedSleep(delay, result);
  if (delay <= 0 && result === undefined) return SLEEP0;
  return new SleepImpl(delay, result);
}

function badDelay(delay: unknown): never {
  throw new TypeError(
    `Cannot sleep: delay must be a number of seconds, got ${String(delay)}`,
  );
}

function trackedSleep<T>(delay: number, result: T): Sleep<T> {
  return _track(new TrackedSleep(delay, result), "sleep()");
}

// sleep(0) is the hottest call there is: one shared object, no allocation.
const SLEEP0 = new SleepImpl<undefined>(0, undefined);
