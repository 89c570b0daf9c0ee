/**
 * `Semaphore` and `BoundedSemaphore`: asyncio's counting semaphores, FIFO.
 *
 * @module
 */

import { type Awaitable, ready, Wait, Waiters } from "./_wait.ts";
import { Guard, type Held } from "./lock.ts";

/**
 * A counter of free slots: `acquire()` takes one (waiting at zero),
 * `release()` gives one back, to the longest waiter first.
 *
 * A released slot goes straight to the oldest waiter, so waiters are served
 * FIFO and a newcomer cannot take a slot while others wait. A waiter
 * cancelled after being given a slot, before it resumes, passes the slot on.
 * `using _ = yield* sem.hold()` (or `await sem.hold()`) is Python's
 * `async with sem:`. As with {@linkcode Lock}, `acquire()` acts when called.
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
  readonly #waiters = new Waiters<boolean>();
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
    return this.#value === 0 || this.#waiters.any();
  }

  /** Take a slot, waiting if none is free. Resolves to `true`. */
  acquire(): Awaitable<boolean> {
    if (this.#value > 0 && !this.#waiters.any()) {
      this.#value--;
      return ready(true);
    }
    const fut = this.#waiters.add("acquire a semaphore");
    return new Wait<boolean>(fut, null, this.#passOn);
  }

  /** Take a slot and get a guard that releases it on dispose. */
  hold(): Awaitable<Held> {
    if (this.#value > 0 && !this.#waiters.any()) {
      this.#value--;
      return ready(new Guard(this));
    }
    const fut = this.#waiters.add("acquire a semaphore");
    return new Wait(fut, () => new Guard(this), this.#passOn);
  }

  /** Give a slot back: to the first waiter, or to the counter. */
  release(): void {
    this.#give();
  }

  /** @internal The free slots now. */
  protected _value(): number {
    return this.#value;
  }

  /** For debugging: `<Semaphore value=0 waiters=2>`. */
  toString(): string {
    return `<${this.constructor.name} value=${this.#value} waiters=${this.#waiters.length}>`;
  }

  #give(): void {
    // The slot goes straight to a waiter if any: the counter stays as is.
    if (!this.#waiters.wakeFirst(true)) this.#value++;
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
