/**
 * `Lock`: asyncio's mutual-exclusion lock, strictly FIFO.
 *
 * @module
 */

import { _inspectAsRepr } from "./_repr.ts";
import { _op, type Awaitable, LazyOp, ready, Wait, Waiters } from "./_wait.ts";
import { RuntimeError } from "./errors.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _start: typeof futureKeys._start = futureKeys._start;
const _startAcquire: typeof futureKeys._startAcquire = futureKeys._startAcquire;
const _startHold: typeof futureKeys._startHold = futureKeys._startHold;

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
 * Release wakes the first waiter, which takes the lock when it resumes; until
 * then a newcomer cannot barge ahead, so waiters are served in FIFO order. If
 * a waiter is cancelled after being woken but before it resumes, the next
 * waiter is woken: no lost wake-up, no deadlock.
 *
 * Python's `async with lock:` is `using _ = yield* lock.hold()` in a
 * generator and `using _ = await lock.hold()` in an async function: the
 * lock is released when the block exits, by return, throw or cancellation.
 *
 * As a Python coroutine, `acquire()` acts when awaited, not when called: an
 * `acquire()` never awaited, or run as a task cancelled before its first
 * step, neither takes the lock nor leaves a waiter behind.
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
  // Waiters release() woke that have not resumed yet. They are owed the
  // lock: until they run, a newcomer may not take it (no barging).
  #woken = 0;
  readonly #waiters = new Waiters<boolean>(this);
  readonly #taken = (): boolean => {
    this.#woken--;
    this.#locked = true;
    return true;
  };
  readonly #held = (): Held => {
    this.#taken();
    return new Guard(this);
  };
  readonly #passOn = (): void => {
    // Woken, then cancelled before it resumed: the next waiter gets it.
    this.#woken--;
    if (!this.#locked) this.#wakeNext();
  };
  readonly #acquireOp: Awaitable<boolean> = new AcquireOp(this);
  readonly #holdOp: Awaitable<Held> = new HoldOp(this);

  /**
   * Whether the lock is held. As in asyncio, it is `false` right after
   * `release()` hands the lock on: the woken waiter takes it when it runs
   * (meanwhile nobody else can).
   */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquire the lock, waiting while it is held. Resolves to `true`. As a
   * Python coroutine, it acts when awaited, not when called: a call never
   * awaited (or whose task is cancelled before it runs) takes nothing.
   */
  acquire(): Awaitable<boolean> {
    return _op(this.#acquireOp, "lock.acquire()");
  }

  /**
   * Acquire, and get a guard that releases on dispose:
   * `using _ = yield* lock.hold()` or `using _ = await lock.hold()`.
   */
  hold(): Awaitable<Held> {
    return _op(this.#holdOp, "lock.hold()");
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
    this.#locked = false;
    this.#wakeNext();
  }

  /**
   * @internal An acquire() starts (awaited).
   * @ignore
   */
  [_startAcquire](): Awaitable<boolean> {
    return this.#start(this.#taken, true);
  }

  /**
   * @internal A hold() starts (awaited).
   * @ignore
   */
  [_startHold](): Awaitable<Held> {
    return this.#start(this.#held, null);
  }

  #start<R>(resume: () => R, now: R | null): Awaitable<R> {
    if (!this.#locked && this.#woken === 0 && !this.#waiters.any()) {
      this.#locked = true;
      return ready(now ?? new Guard(this) as R);
    }
    const fut = this.#waiters.add("acquire a lock");
    return new Wait(fut, resume, this.#passOn);
  }

  #wakeNext(): void {
    if (this.#waiters.wakeFirst(true)) this.#woken++;
  }

  /** asyncio's repr: `<Lock [locked, waiters:2]>`. */
  toString(): string {
    const n = this.#waiters.live();
    return `<Lock [${this.#locked ? "locked" : "unlocked"}${
      n > 0 ? `, waiters:${n}` : ""
    }]>`;
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

// acquire() and hold(), started when awaited: classes of their own rather
// than `lazy()` closures, so the calls stay inlinable.
class AcquireOp extends LazyOp<boolean> {
  readonly #lock: Lock;
  constructor(lock: Lock) {
    super();
    this.#lock = lock;
  }
  [_start](): Awaitable<boolean> {
    return this.#lock[_startAcquire]();
  }
}

class HoldOp extends LazyOp<Held> {
  readonly #lock: Lock;
  constructor(lock: Lock) {
    super();
    this.#lock = lock;
  }
  [_start](): Awaitable<Held> {
    return this.#lock[_startHold]();
  }
}

_inspectAsRepr(Lock);
