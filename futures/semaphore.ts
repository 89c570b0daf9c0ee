/**
 * `Semaphore` and `BoundedSemaphore`: asyncio's counting semaphores, FIFO.
 *
 * @module
 */

import { _inspectAsRepr } from "./_repr.ts";
import { _op, type Awaitable, lazy, ready, Wait, Waiters } from "./_wait.ts";
import { Guard, type Held } from "./lock.ts";

/**
 * A counter of free slots: `acquire()` takes one (waiting at zero),
 * `release()` gives one back, to the longest waiter first.
 *
 * A released slot is counted out for the oldest waiter, so waiters are served
 * FIFO and a newcomer cannot take a slot while others wait (or were woken and
 * have not resumed yet). A waiter cancelled after being woken, before it
 * resumes, passes the slot on. `using _ = yield* sem.hold()` (or
 * `await sem.hold()`) is Python's `async with sem:`. As with
 * {@linkcode Lock}, `acquire()` acts when awaited, not when called.
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
  // Waiters woken with a slot that have not resumed yet: their slots are
  // already counted out of `#value`, and while they exist the semaphore
  // counts as locked (no barging, as asyncio).
  #woken = 0;
  readonly #waiters = new Waiters<boolean>(this);
  readonly #taken = (): boolean => {
    this.#woken--;
    // Slots released while it was waking go on to those queued behind it.
    this.#wakeWhileFree();
    return true;
  };
  readonly #held = (): Held => {
    this.#taken();
    return new Guard(this);
  };
  readonly #passOn = (): void => {
    // Woken, then cancelled before it resumed: its slot goes back.
    this.#woken--;
    this.#value++;
    this.#wakeWhileFree();
  };
  readonly #acquireOp = lazy(() => this.#start(this.#taken, true));
  readonly #holdOp = lazy(() => this.#start(this.#held, null));

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
    return this.#value === 0 || this.#woken > 0 || this.#waiters.any();
  }

  /**
   * Take a slot, waiting if none is free. Resolves to `true`. Acts when
   * awaited, as a Python coroutine: a call never awaited takes nothing.
   */
  acquire(): Awaitable<boolean> {
    return _op(this.#acquireOp, "semaphore.acquire()");
  }

  /** Take a slot and get a guard that releases it on dispose. */
  hold(): Awaitable<Held> {
    return _op(this.#holdOp, "semaphore.hold()");
  }

  /** Give a slot back, and wake the first waiter. */
  release(): void {
    this.#value++;
    this.#wakeWhileFree();
  }

  #start<R>(resume: () => R, now: R | null): Awaitable<R> {
    if (!this.locked()) {
      this.#value--;
      return ready(now ?? new Guard(this) as R);
    }
    const fut = this.#waiters.add("acquire a semaphore");
    return new Wait(fut, resume, this.#passOn);
  }

  #wakeWhileFree(): void {
    while (this.#value > 0 && this.#waiters.wakeFirst(true)) {
      this.#value--;
      this.#woken++;
    }
  }

  /**
   * @internal The free slots now.
   * @ignore
   */
  protected _value(): number {
    return this.#value;
  }

  /** asyncio's repr: `<Semaphore [locked, value:0, waiters:2]>`. */
  toString(): string {
    const n = this.#waiters.live();
    return `<${this.constructor.name} [${
      this.locked() ? "locked" : `unlocked, value:${this.#value}`
    }${n > 0 ? `, waiters:${n}` : ""}]>`;
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

_inspectAsRepr(Semaphore);
