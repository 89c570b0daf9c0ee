/**
 * `Lock`: asyncio's mutual-exclusion lock, strictly FIFO.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import { Deque } from "./_deque.ts";
import { Future } from "./future.ts";
import { type Awaitable, ready, Wait, wakeFirst } from "./_wait.ts";
import { RuntimeError } from "./errors.ts";

/**
 * What `hold()` gives: releases on dispose, so `using _ = yield* lock.hold()`
 * is the TypeScript form of Python's `async with lock:`.
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
 * it to the longest waiter. An uncontended `acquire()` allocates no Future.
 *
 * Ownership is handed straight to the first waiter on release, so waiters
 * are served in FIFO order and a newcomer cannot barge ahead. If a waiter is
 * cancelled after being handed the lock but before it resumes, the lock is
 * passed on to the next waiter: no lost wake-up, no deadlock.
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
  readonly #waiters = new Deque<Future<boolean>>();
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
    const fut = new Future<boolean>({ loop: _requireLoop("acquire a lock") });
    this.#waiters.push(fut);
    return new Wait<boolean>(fut, null, this.#passOn);
  }

  /**
   * Acquire, and get a guard that releases on dispose:
   * `using _ = yield* lock.hold()` or `using _ = await lock.hold()`.
   */
  hold(): Awaitable<Held> {
    const guard = makeGuard(() => this.release());
    if (!this.#locked) {
      this.#locked = true;
      return ready(guard);
    }
    const fut = new Future<boolean>({ loop: _requireLoop("acquire a lock") });
    this.#waiters.push(fut);
    return new Wait(fut, () => guard, this.#passOn);
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
    if (!wakeFirst(this.#waiters, true)) this.#locked = false;
  }

  /** For debugging: `<Lock locked waiters=2>`. */
  toString(): string {
    return `<Lock ${
      this.#locked ? "locked" : "unlocked"
    } waiters=${this.#waiters.length}>`;
  }
}

/** A guard whose dispose calls `release` once. @internal */
export function makeGuard(release: () => void): Held {
  let done = false;
  const dispose = (): void => {
    if (!done) {
      done = true;
      release();
    }
  };
  return {
    [Symbol.dispose]: dispose,
    [Symbol.asyncDispose]: () => {
      dispose();
      return Promise.resolve();
    },
  };
}
