/**
 * One `StreamReader` read that had to wait for data, awaitable both ways:
 * `yield*` steps it as an iterator (no generator object), `await` runs it as
 * a small async loop. Either way it only waits on the reader's data future
 * and takes bytes from the buffer when it completes, synchronously, so a
 * cancelled read has taken nothing: the data stays for the next read.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { Awaitable } from "../futures/_wait.ts";
import { RuntimeError } from "../futures/errors.ts";
import * as netKeys from "./_keys.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _attempt: typeof netKeys._attempt = netKeys._attempt;
const _waitDone: typeof netKeys._waitDone = netKeys._waitDone;
const _waitForData: typeof netKeys._waitForData = netKeys._waitForData;
const _suspending: typeof futureKeys._suspending = futureKeys._suspending;

/** What an attempt returns when the read must wait for more data. @internal */
export const WAIT: unique symbol = Symbol("wait for data");

/** A read and its progress between attempts. @internal */
export interface ReadState {
  /** Which read (a constant of the reader). */
  kind: number;
  /** Its argument: a byte count, or the separators. */
  arg: unknown;
  /** readuntil's search offset. */
  offset: number;
  /** read(-1)'s chunks so far. */
  acc: Uint8Array[] | null;
}

/** The reader side of a waiting read. @internal */
export interface ReadSource {
  /** Try to complete `op` now: its value, `WAIT`, or a throw. */
  [_attempt](op: ReadState): unknown;
  /** A future resolved when data, EOF or an error arrives. */
  [_waitForData](what: string): Future<void>;
  /** `op` stopped waiting on `fut` (woken, cancelled or failed). */
  [_waitDone](fut: Future<void>): void;
}

/** A read waiting for data. @internal */
export class ReadOp<T>
  implements Awaitable<T>, Iterator<unknown, T, unknown>, ReadState {
  readonly kind: number;
  readonly arg: unknown;
  offset: number;
  acc: Uint8Array[] | null;
  readonly #src: ReadSource;
  readonly #name: string;
  #fut: Future<void> | null;
  #used = false;

  /** A read that attempted `state` and now waits on `fut`. */
  constructor(
    src: ReadSource,
    state: ReadState,
    name: string,
    fut: Future<void>,
  ) {
    this.#src = src;
    this.kind = state.kind;
    this.arg = state.arg;
    this.offset = state.offset;
    this.acc = state.acc;
    this.#name = name;
    this.#fut = fut;
  }

  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    this.#use();
    return this;
  }

  next(): IteratorResult<unknown, T> {
    for (;;) {
      const fut = this.#fut;
      if (fut !== null) {
        if (!fut.done()) {
          fut[_suspending]();
          return { done: false, value: fut };
        }
        this.#stopWaiting(fut);
        fut.result(); // the reader's error, or a cancellation
      }
      const r = this.#src[_attempt](this);
      if (r !== WAIT) return { done: true, value: r as T };
      this.#fut = this.#src[_waitForData](this.#name);
    }
  }

  throw(err: unknown): IteratorResult<unknown, T> {
    // Cancelled (or the reader failed) while waiting: nothing was taken.
    if (this.#fut !== null) this.#stopWaiting(this.#fut);
    throw err;
  }

  return(value: T): IteratorResult<unknown, T> {
    if (this.#fut !== null) this.#stopWaiting(this.#fut);
    return { done: true, value };
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#use();
    return this.#run().then(onfulfilled, onrejected);
  }

  async #run(): Promise<T> {
    for (;;) {
      const fut = this.#fut;
      if (fut !== null) {
        // Awaited inside the caller's task context: cancelling the task
        // cancels this future.
        try {
          await fut;
        } finally {
          this.#stopWaiting(fut);
        }
      }
      const r = this.#src[_attempt](this);
      if (r !== WAIT) return r as T;
      this.#fut = this.#src[_waitForData](this.#name);
    }
  }

  #stopWaiting(fut: Future<void>): void {
    this.#fut = null;
    this.#src[_waitDone](fut);
  }

  #use(): void {
    if (this.#used) {
      throw new RuntimeError(
        `Cannot await ${this.#name}() twice: call it again for a new read`,
      );
    }
    this.#used = true;
  }
}
