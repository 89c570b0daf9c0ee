/**
 * `Semaphore` and `BoundedSemaphore`: asyncio's counting semaphores, FIFO.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import { Deque } from "./_deque.ts";
import { Future } from "./future.ts";
import { type Awaitable, hasWaiters, ready, Wait, wakeFirst } from "./_wait.ts";
import { type Held, makeGuard } from "./lock.ts";

/**
 * A counter of free slots: `acquire()` takes one (waiting at zero),
 * `release()` gives one back, to the longest waiter first.
 *
 * @example Limiting concurrency to 2
 * ```ts
 * import { createTask, gather, run, Semaphore, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * let active = 0, peak = 0;
 * await run(function* () {
 *   const sem = new Semaphore(2);
 *   const job = function* () {
 *     using _slot = yield* sem.hold();
 *     peak = Math.max(peak, ++active);
 *     yield* sleep(0.01);
 *     active--;
 *   };
 *   yield* gather(...[1, 2, 3, 4, 5].map(() => createTask(job)));
 * });
 * assert.equal(peak, 2);
 * ```
 */
export class Semaphore {
  #value: number;
  readonly #waiters = new Deque<Future<boolean>>();
  readonly #passOn = (): void => this.#give();

  /**
   * Create a semaphore with `value` free slots.
   *
   * @param value Initial slots (default 1).
   * @throws {RangeError} if `value` is negative or not an integer.
   */
  constructor(value: number = 1) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `Cannot create a semaphore: initial value must be an integer >= 0, got ${value}`,
      );
    }
    this.#value = value;
  }

  /** Whether `acquire()` would wait now. */
  locked(): boolean {
    return this.#value === 0 || this.#hasWaiters();
  }

  /** Take a slot, waiting if none is free. Resolves to `true`. */
  acquire(): Awaitable<boolean> {
    if (this.#value > 0 && !this.#hasWaiters()) {
      this.#value--;
      return ready(true);
    }
    const fut = new Future<boolean>({
      loop: _requireLoop("acquire a semaphore"),
    });
    this.#waiters.push(fut);
    return new Wait<boolean>(fut, null, this.#passOn);
  }

  /** Take a slot and get a guard that releases it on dispose. */
  hold(): Awaitable<Held> {
    const guard = makeGuard(() => this.release());
    if (this.#value > 0 && !this.#hasWaiters()) {
      this.#value--;
      return ready(guard);
    }
    const fut = new Future<boolean>({
      loop: _requireLoop("acquire a semaphore"),
    });
    this.#waiters.push(fut);
    return new Wait(fut, () => guard, this.#passOn);
  }

  /** Give a slot back: to the first waiter, or to the counter. */
  release(): void {
    this.#give();
  }

  /** @internal The free slots now. */
  protected _value(): number {
    return this.#value;
  }

  #hasWaiters(): boolean {
    return hasWaiters(this.#waiters);
  }

  #give(): void {
    // The slot goes straight to a waiter if any: the counter stays as is.
    if (!wakeFirst(this.#waiters, true)) this.#value++;
  }
}

/**
 * A semaphore that refuses to be released more times than acquired.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const sem = new BoundedSemaphore(1);
 * assert.throws(() => sem.release(), RangeError);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  /**
   * Create a bounded semaphore.
   *
   * @param value Initial (and maximum) slots, default 1.
   */
  constructor(value: number = 1) {
    super(value);
    this.#bound = value;
  }

  /**
   * Give a slot back.
   * @throws {RangeError} when that would exceed the initial value.
   */
  override release(): void {
    if (this._value() >= this.#bound) {
      throw new RangeError(
        `Cannot release the semaphore: it would exceed its initial value ${this.#bound}, release only what you acquired`,
      );
    }
    super.release();
  }
}
