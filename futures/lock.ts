/**
 * `Lock`: asyncio's mutual-exclusion lock, strictly FIFO.
 *
 * @module
 */

import { type Awaitable, ready, Wait, Waiters } from "./_wait.ts";
import { RuntimeError } from "./errors.ts";

/**
 * What `hold()` gives: releases on dispose, so `using _ = yield* lock.hold()`
 * (generators) and `using _ = await lock.hold()` (async functions) are the
 * TypeScript form of Python's `async with lock:`. Disposing twice releases
 * once. `await using` works too; plain `using` is enough, since releasing
 * never waits.
 *
 * @example
 * ```ts
 * import { type Held, Lock, run } from "../mod.ts";
 * await run(function* () {
 *   const lock = new Lock();
 *   using held: Held = yield* lock.hold();
 *   console.log(lock.locked(), held !== null); // true true
 * });
 * ```
 */
export interface Held extends Disposable, AsyncDisposable {}

/**
 * An asyncio lock. `acquire()` takes it (waiting if held), `release()` gives
 * it to the longest waiter. An uncontended `acquire()` allocates no Future
 * and no Promise: it returns a ready awaitable.
 *
 * Ownership is handed straight to the first waiter on release, so waiters
 * are served in FIFO order and a newcomer cannot barge ahead. If a waiter is
 * cancelled after being handed the lock but before it resumes, the lock is
 * passed on to the next waiter: no lost wake-up, no deadlock.
 *
 * Python's `async with lock:` is `using _ = yield* lock.hold()` in a
 * generator and `using _ = await lock.hold()` in an async function: the
 * lock is released when the block exits, by return, throw or cancellation.
 *
 * Unlike a Python coroutine, `acquire()` acts when called, not when
 * awaited: a free lock is taken at once, and a waiter is queued at once.
 * Always await what it returns.
 *
 * @example `async with lock` in both coroutine forms
 * ```ts
 * import { Lock, run, sleep, gather, createTask } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const order: string[] = [];
 * await run(function* () {
 *   const lock = new Lock();
 *   const a = createTask(function* () {
 *     using _held = yield* lock.hold();
 *     order.push("a in");
 *     yield* sleep(0.01);
 *     order.push("a out");
 *   });
 *   const b = createTask(async () => {
 *     using _held = await lock.hold();
 *     order.push("b in");
 *   });
 *   yield* gather(a, b);
 * });
 * assert.deepEqual(order, ["a in", "a out", "b in"]);
 * ```
 */
export class Lock {
  #locked = false;
  readonly #waiters = new Waiters<boolean>();
  readonly #passOn = (): void => this.#handOff();

  /** Whether the lock is held. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquire the lock, waiting while it is held. Resolves to `true`.
   * The lock is taken at call time when it is free.
   */
  acquire(): Awaitable<boolean> {
    if (!this.#locked) {
      this.#locked = true;
      return ready(true);
    }
    const fut = this.#waiters.add("acquire a lock");
    return new Wait<boolean>(fut, null, this.#passOn);
  }

  /**
   * Acquire, and get a guard that releases on dispose:
   * `using _ = yield* lock.hold()` or `using _ = await lock.hold()`.
   */
  hold(): Awaitable<Held> {
    if (!this.#locked) {
      this.#locked = true;
      return ready(new Guard(this));
    }
    const fut = this.#waiters.add("acquire a lock");
    return new Wait(fut, () => new Guard(this), this.#passOn);
  }

  /**
   * Release the lock, handing it to the first waiter.
   * @throws {RuntimeError} if the lock is not held.
   */
  release(): void {
    if (!this.#locked) {
      throw new RuntimeError(
        "Cannot release the lock: it is not acquired, call acquire() first",
      );
    }
    this.#handOff();
  }

  #handOff(): void {
    if (!this.#waiters.wakeFirst(true)) this.#locked = false;
  }

  /** For debugging: `<Lock locked waiters=2>`. */
  toString(): string {
    return `<Lock ${
      this.#locked ? "locked" : "unlocked"
    } waiters=${this.#waiters.length}>`;
  }
}

/** A guard whose dispose calls `owner.release()` once. @internal */
export class Guard implements Held {
  #owner: { release(): void } | null;
  constructor(owner: { release(): void }) {
    this.#owner = owner;
  }
  [Symbol.dispose](): void {
    const owner = this.#owner;
    if (owner !== null) {
      this.#owner = null;
      owner.release();
    }
  }
  [Symbol.asyncDispose](): Promise<void> {
    try {
      this[Symbol.dispose]();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
