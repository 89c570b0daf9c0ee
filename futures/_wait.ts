/**
 * Awaitables for the primitives' hot paths, usable with `yield*` and `await`:
 *
 * - `ready(value)`: the operation already completed (an uncontended lock, a
 *   queue with room); no Future, no Promise of ours is made.
 * - `failed(error)`: the operation fails when awaited (a put on a shut-down
 *   queue), as a Python coroutine raises at its `await`.
 * - `Wait`: the caller waits on a Future. `resume` runs when it is woken and
 *   completes the operation (e.g. takes the slot it was given);
 *   `interrupted` runs when the caller is cancelled after being woken, so the
 *   wake-up is passed on instead of lost (asyncio's lost-wake-up bugs).
 * - `Waiters`: the FIFO of waiting futures every primitive keeps, which
 *   drops cancelled waiters so repeated timed-out waits do not pile up.
 *
 * @module
 */

import { _debug, _track, _untrack } from "./_debug.ts";
import { _refuseUsing } from "./_repr.ts";
import { CancelledError } from "./errors.ts";
import { Future } from "./future.ts";
import { Deque } from "./_deque.ts";
import { _requireLoop } from "./_loop.ts";
import { _known, taskContext } from "./_await.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _error: typeof futureKeys._error = futureKeys._error;
const _exception: typeof futureKeys._exception = futureKeys._exception;
const _finish: typeof futureKeys._finish = futureKeys._finish;
const _opStart: typeof futureKeys._opStart = futureKeys._opStart;
const _result: typeof futureKeys._result = futureKeys._result;
const _start: typeof futureKeys._start = futureKeys._start;
const _suspending: typeof futureKeys._suspending = futureKeys._suspending;

/**
 * What the primitives return: something to `yield*` (generators) or `await`
 * (async functions). Exported as `PrimitiveAwaitable`.
 *
 * @example
 * ```ts
 * import { Lock, type PrimitiveAwaitable, run } from "../mod.ts";
 * await run(async () => {
 *   const lock = new Lock();
 *   const acquiring: PrimitiveAwaitable<boolean> = lock.acquire();
 *   console.log(await acquiring); // true
 *   lock.release();
 * });
 * ```
 */
export interface Awaitable<T>
  extends PromiseLike<T>, Iterable<unknown, T, unknown> {}

// Its own iterator, done at once: `yield*` on it allocates one result
// object instead of a generator.
class Ready<T> implements Awaitable<T>, Iterator<unknown, T, unknown> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return this;
  }
  next(): IteratorResult<unknown, T> {
    return { done: true, value: this.#value };
  }
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    _onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    try {
      return Promise.resolve(
        typeof onfulfilled === "function"
          ? onfulfilled(this.#value)
          : this.#value as unknown as R1,
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

const TRUE = new Ready(true);
const UNDEFINED = new Ready<void>(undefined);

/** An awaitable already done with `value`. @internal */
export function ready<T>(value: T): Awaitable<T> {
  if (value === true) return TRUE as unknown as Awaitable<T>;
  if (value === undefined) return UNDEFINED as unknown as Awaitable<T>;
  return new Ready(value);
}

// Fails when stepped or awaited, not when made.
class Failed<T> implements Awaitable<T>, Iterator<unknown, T, unknown> {
  readonly #error: unknown;
  constructor(error: unknown) {
    this.#error = error;
  }
  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return this;
  }
  next(): IteratorResult<unknown, T> {
    throw this.#error;
  }
  then<R1 = T, R2 = never>(
    _onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (typeof onrejected !== "function") return Promise.reject(this.#error);
    try {
      return Promise.resolve(onrejected(this.#error));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** An awaitable that throws `error` where it is awaited. @internal */
export function failed<T>(error: unknown): Awaitable<T> {
  return new Failed<T>(error);
}

/**
 * An operation that starts when awaited, not when called, as a Python
 * coroutine does: `start()` runs at the `yield*` (or at `then()`, in the
 * awaiting task's context) and says whether the operation completed at once
 * or has to wait. So a call whose task is cancelled before its first step
 * (`createTask(q.get())`, `waitFor(lock.acquire(), 0)`) takes nothing and
 * leaves no waiter behind. One instance per primitive serves every call, so
 * the fast path allocates no more than before. The hot primitives
 * subclass it; `lazy(start)` serves the rest. @internal
 */
export abstract class LazyOp<R> implements Awaitable<R> {
  /**
   * Start the operation: what completed at once, or the wait. A method, not
   * a closure held in a field: one call site that called the closures of
   * every primitive saw many targets and could not be inlined (queue gen:
   * ~200 instructions an item).
   * @internal
   * @ignore
   */
  abstract [_start](): Awaitable<R>;

  [Symbol.iterator](): Iterator<unknown, R, unknown> {
    return this[_start]()[Symbol.iterator]();
  }

  then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    let started: Awaitable<R>;
    let task;
    try {
      // An async function's task with a cancellation pending gets it here,
      // at the await, before anything is taken (asyncio delivers it at the
      // same point).
      task = taskContext.getStore();
      const owed = task?.[_opStart]() ?? null;
      if (owed !== null) throw owed;
      started = this[_start]();
    } catch (err) {
      return Promise.reject(err).then(null, onrejected);
    }
    if (!(started instanceof Wait)) {
      return started.then(onfulfilled, onrejected);
    }
    // A Wait's then() makes an Awaiter before any other code runs: hand it
    // the task read here.
    _known.on = true;
    _known.task = task;
    const p = started.then(onfulfilled, onrejected);
    _known.on = false;
    _known.task = undefined;
    return p;
  }
}

/** A LazyOp that runs a closure: for the operations that are not hot. */
class Lazy<R> extends LazyOp<R> {
  readonly #start: () => Awaitable<R>;
  constructor(start: () => Awaitable<R>) {
    super();
    this.#start = start;
  }
  [_start](): Awaitable<R> {
    return this.#start();
  }
}

// `using _ = lock.hold()` without yield*/await: say so at the declaration.
_refuseUsing(
  LazyOp,
  "Cannot use this as a resource: it was not awaited, write `using _ = yield* lock.hold()` (generators) or `using _ = await lock.hold()` (async functions)",
);

/** An awaitable that runs `start()` each time it is awaited. @internal */
export function lazy<R>(start: () => Awaitable<R>): Awaitable<R> {
  return new Lazy(start);
}

/** A Lazy reported if dropped unawaited (debug mode). */
class TrackedLazy<R> extends Lazy<R> {
  override [Symbol.iterator](): Iterator<unknown, R, unknown> {
    _untrack(this);
    return super[Symbol.iterator]();
  }
  override then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    _untrack(this);
    return super.then(onfulfilled, onrejected);
  }
}

/**
 * `op` (a shared `lazy()`), or in debug mode a copy of it that reports
 * being dropped without an await, naming `what` and where it was made.
 * @internal
 */
export function _op<R>(op: Awaitable<R>, what: string): Awaitable<R> {
  // Called at every get()/acquire(): no closure here, so it inlines.
  return _debug.on ? trackedOp(op as LazyOp<R>, what) : op;
}

function trackedOp<R>(op: LazyOp<R>, what: string): Awaitable<R> {
  return _track(new TrackedLazy(() => op[_start]()), what);
}

/** `yield*` on a Wait without a generator object. */
class WaitIterator<T, R> implements Iterator<unknown, R, unknown> {
  readonly #wait: Wait<T, R>;
  readonly #fut: Future<T>;
  #yielded = false;
  constructor(wait: Wait<T, R>, fut: Future<T>) {
    this.#wait = wait;
    this.#fut = fut;
  }
  next(): IteratorResult<unknown, R> {
    const fut = this.#fut;
    if (!this.#yielded && !fut.done()) {
      this.#yielded = true;
      fut[_suspending]();
      return { done: false, value: fut };
    }
    this.#yielded = true;
    let value: T;
    try {
      value = fut.result();
    } catch (err) {
      this.#wait[_error](err);
      throw err;
    }
    return { done: true, value: this.#wait[_finish](value) };
  }
  throw(err: unknown): IteratorResult<unknown, R> {
    this.#yielded = true;
    this.#wait[_error](err);
    throw err;
  }
  return(value: R): IteratorResult<unknown, R> {
    this.#yielded = true;
    return { done: true, value };
  }
}

function wokenWithResult(fut: Future<unknown>): boolean {
  return fut.done() && !fut.cancelled() && fut[_exception] === undefined;
}

/** Waiting on `fut`, with hooks for wake-up and interruption. @internal */
export class Wait<T, R = T> implements Awaitable<R> {
  readonly #fut: Future<T>;
  readonly #resume: ((value: T) => R) | null;
  readonly #interrupted: ((value: T) => void) | null;

  constructor(
    fut: Future<T>,
    resume: ((value: T) => R) | null,
    interrupted: ((value: T) => void) | null,
  ) {
    this.#fut = fut;
    this.#resume = resume;
    this.#interrupted = interrupted;
  }

  [Symbol.iterator](): Iterator<unknown, R, unknown> {
    return new WaitIterator(this, this.#fut);
  }

  /** @internal The wait ended with `value`: complete the operation. */
  [_finish](value: T): R {
    return this.#resume === null ? value as unknown as R : this.#resume(value);
  }

  /** @internal The wait ended with an error. */
  [_error](err: unknown): void {
    this.#onError(err);
  }

  then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#fut.then(
      (value) => {
        let r: R;
        try {
          r = this.#resume === null
            ? value as unknown as R
            : this.#resume(value);
        } catch (err) {
          if (typeof onrejected === "function") return onrejected(err);
          throw err;
        }
        return typeof onfulfilled === "function"
          ? onfulfilled(r)
          : r as unknown as R1;
      },
      (err) => {
        this.#onError(err);
        if (typeof onrejected === "function") return onrejected(err);
        throw err;
      },
    );
  }

  #onError(err: unknown): void {
    // Cancelled after the wake-up was delivered: hand it on.
    if (
      this.#interrupted !== null && err instanceof CancelledError &&
      wokenWithResult(this.#fut as Future<unknown>)
    ) {
      this.#interrupted(this.#fut[_result] as T);
    }
  }
}

function pending(fut: Future<unknown>): boolean {
  return !fut.done();
}

const heldBy = new WeakMap<object, Waiters<unknown>[]>();

/**
 * How many waiter entries `primitive` holds, cancelled ones not yet dropped
 * included: what tests check to see that waits do not pile up.
 * @internal
 */
export function _heldWaiters(primitive: object): number {
  let n = 0;
  for (const w of heldBy.get(primitive) ?? []) n += w.length;
  return n;
}

/**
 * The futures of the tasks waiting on a primitive, oldest first. A waiter
 * cancelled while waiting stays until it reaches the front or the list is
 * compacted (when it has doubled since the last compaction), so waits that
 * time out again and again keep it bounded: at most about twice the live
 * waiters, plus a small constant.
 * @internal
 */
export class Waiters<T> {
  readonly #d = new Deque<Future<T>>();
  #compactAt = 32;

  /** `owner`: the primitive, for {@linkcode _heldWaiters}. */
  constructor(owner: object) {
    const list = heldBy.get(owner);
    if (list === undefined) heldBy.set(owner, [this]);
    else list.push(this);
  }

  /** Waiters held, including cancelled ones not yet dropped. */
  get length(): number {
    return this.#d.length;
  }

  /** Waiters still waiting (for reprs: walks the list). */
  live(): number {
    let n = 0;
    for (const w of this.#d) if (!w.done()) n++;
    return n;
  }

  /** A new waiting future at the back (`what` names the call in errors). */
  add(what: string): Future<T> {
    const fut = new Future<T>({ loop: _requireLoop(what) });
    const d = this.#d;
    if (d.length >= this.#compactAt) {
      d.retain(pending);
      this.#compactAt = Math.max(32, 2 * d.length);
    }
    d.push(fut);
    return fut;
  }

  /** Give `value` to the oldest live waiter; false if nobody waits. */
  wakeFirst(value: T): boolean {
    const d = this.#d;
    for (let w = d.shift(); w !== undefined; w = d.shift()) {
      if (!w.done()) {
        w.setResult(value);
        return true;
      }
    }
    return false;
  }

  /** Give `value` to every live waiter, oldest first. */
  wakeAll(value: T): void {
    const d = this.#d;
    for (let w = d.shift(); w !== undefined; w = d.shift()) {
      if (!w.done()) w.setResult(value);
    }
  }

  /** Fail every live waiter with a new `makeError()`, oldest first. */
  failAll(makeError: () => unknown): void {
    const d = this.#d;
    for (let w = d.shift(); w !== undefined; w = d.shift()) {
      if (!w.done()) w.setException(makeError());
    }
  }

  /** Whether any live waiter is left (dropping cancelled ones in front). */
  any(): boolean {
    const d = this.#d;
    while (d.length > 0 && d.peek()!.done()) d.shift();
    return d.length > 0;
  }
}
