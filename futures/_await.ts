/**
 * How async functions await our futures: the thenable side of `Future`.
 *
 * An async-function task runs its function inside `taskContext.run(task, …)`.
 * When that function does `await fut`, V8 calls `fut.then(resolve, reject)`
 * in a microtask that keeps the async context, so `taskContext.getStore()`
 * names the awaiting task. The task records what it waits on (so `cancel()`
 * can cancel it) and, on wake-up, may turn the result into a
 * `CancelledError` it owes the function.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { CancelledError } from "./errors.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _addTaskWaiter: typeof futureKeys._addTaskWaiter =
  futureKeys._addTaskWaiter;
const _awaitEnd: typeof futureKeys._awaitEnd = futureKeys._awaitEnd;
const _awaitStart: typeof futureKeys._awaitStart = futureKeys._awaitStart;
const _opStart: typeof futureKeys._opStart = futureKeys._opStart;
const _wakeup: typeof futureKeys._wakeup = futureKeys._wakeup;

/** What an awaiting async-function task does around one await. @internal */
export interface AsyncAwaiter {
  /** The task starts waiting on `fut`; an error means it may not. */
  [_awaitStart](fut: Cancellable): unknown;
  /**
   * An operation of ours (`lock.acquire()`, `q.get()`) is about to start at
   * an await: returns the cancellation owed (the operation must then not
   * start), or null, and the task counts as resumed with a value.
   */
  [_opStart](): unknown;
  /** The wait on `fut` ended; returns an error the task must throw instead. */
  [_awaitEnd](fut: Cancellable): CancelledError | null;
}

/** The part of a Future the hook needs. @internal */
export interface Cancellable {
  cancel(msg?: string): boolean;
  done(): boolean;
  result(): unknown;
}

/** The task whose async function is running, if any. @internal */
export const taskContext: AsyncLocalStorage<AsyncAwaiter> =
  new AsyncLocalStorage<AsyncAwaiter>();

/**
 * The awaiting task, when the caller has just read it (`Lazy.then()`): the
 * next Awaiter takes it instead of asking `taskContext` again (an
 * AsyncLocalStorage read costs 25-30 ns, a tenth of a cheap await).
 * Set and used within one synchronous call. @internal
 */
export const _known: { on: boolean; task: AsyncAwaiter | undefined } = {
  on: false,
  task: undefined,
};

function _takeKnown(): AsyncAwaiter | undefined {
  const t = _known.task;
  _known.on = false;
  _known.task = undefined;
  return t;
}

/**
 * One pending `then()`: settles the caller's callbacks when woken. An object
 * with `_wakeup()` instead of a closure, so a future can hold it directly.
 * @internal
 */
export class Awaiter<T, R1, R2> {
  readonly #source: Cancellable;
  readonly #task: AsyncAwaiter | undefined;
  readonly #onfulfilled:
    | ((value: T) => R1 | PromiseLike<R1>)
    | null
    | undefined;
  readonly #onrejected:
    | ((reason: unknown) => R2 | PromiseLike<R2>)
    | null
    | undefined;
  #resolve!: (v: R1 | R2 | PromiseLike<R1 | R2>) => void;
  #reject!: (e: unknown) => void;
  /** The Promise `then()` returns. */
  readonly promise: Promise<R1 | R2>;

  constructor(
    source: Cancellable,
    onfulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    onrejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
  ) {
    this.#source = source;
    this.#onfulfilled = onfulfilled;
    this.#onrejected = onrejected;
    this.promise = new Promise<R1 | R2>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const task = _known.on ? _takeKnown() : taskContext.getStore();
    const refused = task !== undefined ? task[_awaitStart](source) : null;
    if (refused === null) {
      this.#task = task;
    } else {
      this.#task = undefined;
      this.refused = true;
      this.#fail(refused);
    }
  }

  /** The await was refused (self-await, another loop's future). */
  refused = false;

  /** The source is done: settle with its outcome (or what the task owes). */
  [_wakeup](): void {
    const task = this.#task;
    const owed = task !== undefined ? task[_awaitEnd](this.#source) : null;
    let value: T;
    try {
      if (owed !== null) throw owed;
      value = this.#source.result() as T;
    } catch (err) {
      this.#fail(err);
      return;
    }
    const onfulfilled = this.#onfulfilled;
    if (typeof onfulfilled === "function") {
      try {
        this.#resolve(onfulfilled(value));
      } catch (err) {
        this.#reject(err);
      }
    } else {
      this.#resolve(value as unknown as R1);
    }
  }

  #fail(err: unknown): void {
    const onrejected = this.#onrejected;
    if (typeof onrejected === "function") {
      try {
        this.#resolve(onrejected(err));
      } catch (err2) {
        this.#reject(err2);
      }
    } else {
      this.#reject(err);
    }
  }
}

/**
 * `then()` for a future: settle `onfulfilled`/`onrejected` when `fut` is done
 * (through `callSoon`, like every done callback).
 * @internal
 */
export function _awaitHook<T, R1, R2>(
  fut: Cancellable & { [_addTaskWaiter](w: { [_wakeup](): void }): void },
  onfulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
  onrejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
): Promise<R1 | R2> {
  const a = new Awaiter<T, R1, R2>(fut, onfulfilled, onrejected);
  if (!a.refused) fut[_addTaskWaiter](a);
  return a.promise;
}
