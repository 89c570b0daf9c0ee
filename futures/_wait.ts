/**
 * Awaitables for the primitives' hot paths, usable with `yield*` and `await`:
 *
 * - `ready(value)`: the operation already completed (an uncontended lock, a
 *   queue with room); no Future, no Promise of ours is made.
 * - `Wait`: the caller waits on a Future. `resume` runs when it is woken and
 *   completes the operation (e.g. takes the slot it was given);
 *   `interrupted` runs when the caller is cancelled after being woken, so the
 *   wake-up is passed on instead of lost (asyncio's lost-wake-up bugs).
 *
 * @module
 */

import { CancelledError } from "./errors.ts";
import type { Future } from "./future.ts";
import type { Deque } from "./_deque.ts";

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
      fut._suspending();
      return { done: false, value: fut };
    }
    this.#yielded = true;
    let value: T;
    try {
      value = fut.result();
    } catch (err) {
      this.#wait._error(err);
      throw err;
    }
    return { done: true, value: this.#wait._finish(value) };
  }
  throw(err: unknown): IteratorResult<unknown, R> {
    this.#yielded = true;
    this.#wait._error(err);
    throw err;
  }
  return(value: R): IteratorResult<unknown, R> {
    this.#yielded = true;
    return { done: true, value };
  }
}

function wokenWithResult(fut: Future<unknown>): boolean {
  return fut.done() && !fut.cancelled() && fut._exception === undefined;
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
  _finish(value: T): R {
    return this.#resume === null ? value as unknown as R : this.#resume(value);
  }

  /** @internal The wait ended with an error. */
  _error(err: unknown): void {
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
      this.#interrupted(this.#fut._result as T);
    }
  }
}

/**
 * Give `value` to the first waiter of `waiters` still waiting (those
 * cancelled while waiting are dropped); false if nobody waits.
 * @internal
 */
export function wakeFirst<T>(waiters: Deque<Future<T>>, value: T): boolean {
  for (let w = waiters.shift(); w !== undefined; w = waiters.shift()) {
    if (!w.done()) {
      w.setResult(value);
      return true;
    }
  }
  return false;
}

/**
 * Whether any waiter of `waiters` still waits (dropping those cancelled).
 * @internal
 */
export function hasWaiters(waiters: Deque<Future<unknown>>): boolean {
  while (waiters.length > 0 && waiters.peek()!.done()) waiters.shift();
  return waiters.length > 0;
}
