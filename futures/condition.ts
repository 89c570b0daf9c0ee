/**
 * `Condition`: asyncio's condition variable over a `Lock`.
 *
 * @module
 */

import { _inspectAsRepr } from "./_repr.ts";
import { _checkCallable } from "./_options.ts";
import { _requireLoop } from "./_loop.ts";
import { CancelledError } from "./errors.ts";
import { Future } from "./future.ts";
import { type Held, Lock } from "./lock.ts";
import type { Coro } from "./task.ts";
import { RuntimeError } from "./errors.ts";
import type { Awaitable } from "./_wait.ts";
import { dual } from "./_dual.ts";

/**
 * Tasks wait (holding the lock) until another task notifies them. `wait()`
 * releases the lock while waiting and re-acquires it before returning —
 * also when the wait is cancelled, before the `CancelledError` propagates.
 * A waiter cancelled after it was notified hands the notification to
 * another waiter (a spurious wake-up at worst, as Python allows), so none
 * is lost. `using _ = yield* cond.hold()` is Python's `async with cond:`.
 *
 * @example A consumer waiting for a producer
 * ```ts
 * import { Condition, createTask, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const got = await run(function* () {
 *   const cond = new Condition();
 *   const items: number[] = [];
 *   const consumer = createTask(function* () {
 *     using _held = yield* cond.hold();
 *     yield* cond.waitFor(() => items.length > 0);
 *     return items.shift();
 *   });
 *   yield* sleep(0);
 *   {
 *     using _held = yield* cond.hold();
 *     items.push(42);
 *     cond.notify();
 *   }
 *   return yield* consumer;
 * });
 * assert.equal(got, 42);
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters: Future<boolean>[] = [];
  // An async caller cancelled after its wait ended: pass the wake-up on.
  readonly #passOn = (): void => this.#notify(1);

  /**
   * Create a condition.
   *
   * @param lock The lock to use; a new one by default.
   * @throws {TypeError} if `lock` is not a `Lock`.
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError("Cannot create a condition: lock must be a Lock");
    }
    this.#lock = lock ?? new Lock();
  }

  /** Acquire the underlying lock. */
  acquire(): Awaitable<boolean> {
    return this.#lock.acquire();
  }

  /** Acquire, with a guard that releases on dispose (`async with cond`). */
  hold(): Awaitable<Held> {
    return this.#lock.hold();
  }

  /** Release the underlying lock. */
  release(): void {
    this.#lock.release();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** asyncio's repr: `<Condition [locked, waiters:1]>`. */
  toString(): string {
    let n = 0;
    for (const w of this.#waiters) if (!w.done()) n++;
    return `<Condition [${this.locked() ? "locked" : "unlocked"}${
      n > 0 ? `, waiters:${n}` : ""
    }]>`;
  }

  /**
   * Release the lock, wait for a notification, re-acquire the lock.
   * Resolves to `true`.
   *
   * @throws {RuntimeError} if the lock is not held.
   */
  wait(): Awaitable<boolean> {
    this.#checkLocked("wait");
    return dual(() => this.#wait(), "Condition.wait", this.#passOn);
  }

  /**
   * Wait until `predicate()` is true (checked first, then after each
   * notification); resolves to its last value. As asyncio's, a predicate
   * already true returns at once, lock or not.
   *
   * @throws {RuntimeError} (when awaited) if it has to wait and the lock is
   *   not held.
   * @throws {TypeError} if `predicate` is not a function.
   */
  waitFor<T>(predicate: () => T): Awaitable<T> {
    if (typeof predicate !== "function") {
      _checkCallable("wait", "predicate", predicate);
    }
    return dual(
      function* (this: Condition): Coro<T> {
        let result = predicate();
        while (!result) {
          this.#checkLocked("wait");
          yield* this.#wait();
          result = predicate();
        }
        return result;
      }.bind(this),
      "Condition.waitFor",
      this.#passOn,
    );
  }

  /**
   * Wake up to `n` waiting tasks (default 1), oldest first.
   * @throws {RuntimeError} if the lock is not held.
   * @throws {RangeError} if `n` is not an integer >= 0.
   */
  notify(n: number = 1): void {
    this.#checkLocked("notify");
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Cannot notify: n must be an integer >= 0, got ${n}`,
      );
    }
    this.#notify(n);
  }

  /**
   * Wake every waiting task.
   * @throws {RuntimeError} if the lock is not held.
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }

  *#wait(): Coro<boolean> {
    const loop = _requireLoop("wait on a condition");
    const fut = new Future<boolean>({ loop });
    this.#waiters.push(fut);
    this.#lock.release();
    let error: unknown = null;
    try {
      yield* fut;
    } catch (err) {
      error = err;
    } finally {
      const i = this.#waiters.indexOf(fut);
      if (i >= 0) this.#waiters.splice(i, 1);
    }
    // Re-acquire even when cancelled, before the error propagates.
    for (;;) {
      try {
        yield* this.#lock.acquire();
        break;
      } catch (err) {
        if (!(err instanceof CancelledError)) throw err;
        error = err;
      }
    }
    if (error !== null) {
      // Notified, then cancelled (while waking or re-acquiring): the
      // notification goes to another waiter instead of being lost.
      if (fut.done() && !fut.cancelled()) this.#notify(1);
      throw error;
    }
    return true;
  }

  #notify(n: number): void {
    let woken = 0;
    for (const w of this.#waiters) {
      if (woken >= n) break;
      if (!w.done()) {
        woken++;
        w.setResult(false);
      }
    }
  }

  #checkLocked(action: string): void {
    if (!this.#lock.locked()) {
      throw new RuntimeError(
        `Cannot ${action}: the condition's lock is not acquired, acquire it first`,
      );
    }
  }
}

_inspectAsRepr(Condition);
