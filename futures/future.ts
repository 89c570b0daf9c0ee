/**
 * `Future`: a result that will exist later, with asyncio's semantics.
 *
 * A Future is a small state machine (pending, cancelled, finished). Its done
 * callbacks always run through the loop's `callSoon`, never inline. It can be
 * awaited both ways this module supports:
 *
 * - from a generator coroutine with `yield*` (it is iterable: it yields itself
 *   while pending, then returns its result), so `const v = yield* fut` is `T`;
 * - from an async function with `await` (it is a thenable).
 *
 * @module
 */

import { _inspectAsRepr } from "./_repr.ts";
import { _describe, _safeString } from "./_describe.ts";
import type { ExceptionContext, LoopLike } from "./_loop.ts";
import { _defaultLoop } from "./_loop.ts";
import { _checkCallable } from "./_options.ts";
import { CancelledError, InvalidStateError } from "./errors.ts";
import { _awaitHook } from "./_await.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _addTaskWaiter: typeof futureKeys._addTaskWaiter =
  futureKeys._addTaskWaiter;
const _callSoon1: typeof futureKeys._callSoon1 = futureKeys._callSoon1;
const _cancelMessage: typeof futureKeys._cancelMessage =
  futureKeys._cancelMessage;
const _context: typeof futureKeys._context = futureKeys._context;
const _exception: typeof futureKeys._exception = futureKeys._exception;
const _kind: typeof futureKeys._kind = futureKeys._kind;
const _makeCancelledError: typeof futureKeys._makeCancelledError =
  futureKeys._makeCancelledError;
const _result: typeof futureKeys._result = futureKeys._result;
const _state: typeof futureKeys._state = futureKeys._state;
const _suspending: typeof futureKeys._suspending = futureKeys._suspending;
const _wakeup: typeof futureKeys._wakeup = futureKeys._wakeup;

const PENDING = 0;
const CANCELLED = 1;
const FINISHED = 2;

/**
 * The future a `yield*` just suspended on (asyncio's
 * `_asyncio_future_blocking`, kept once rather than per future): a Future a
 * task gets from its coroutine that is not this one came from a bare
 * `yield`. @internal
 */
export const _blocking: { future: unknown } = { future: null };

/** Where the last coroutine suspended (debug mode), for `Task.getStack()`. @internal */
export const _suspension: { stack: string | undefined } = { stack: undefined };

/**
 * A done callback: called (through `callSoon`) with the future.
 *
 * @example
 * ```ts
 * import { type DoneCallback, Future, newEventLoop } from "../mod.ts";
 * using loop = newEventLoop();
 * const cb: DoneCallback<Future<number>> = (f) => console.log(f.result());
 * new Future<number>({ loop }).addDoneCallback(cb);
 * ```
 */
export type DoneCallback<F> = (future: F) => void;

// Callbacks are stored untyped: `this`-typed storage breaks subclass variance.
// deno-lint-ignore no-explicit-any
type AnyCallback = (future: any) => void;

/**
 * Reports an exception that was set on a future and never looked at, when
 * the future is garbage collected (asyncio does this from `__del__`).
 */
const unretrieved = new FinalizationRegistry<{
  loop: LoopLike;
  exception: unknown;
  kind: string;
}>((held) => {
  if (held.loop.isClosed()) return;
  held.loop.callExceptionHandler({
    message: `${held.kind} exception was never retrieved`,
    exception: held.exception,
  });
});

// Per loop, the failed futures nobody looked at yet (weakly: collection
// still reports them), for the report at close().
const failedOf = new WeakMap<LoopLike, Set<WeakRef<object>>>();
let reportOne: (f: Future) => void;
let reprDetailOf: (f: Future) => string;

/** What follows the state in `f`'s repr (` result=1`). @internal */
export function _reprDetail(f: Future): string {
  return reprDetailOf(f);
}

/**
 * Report, as "exception was never retrieved", every failed future of
 * `loop` whose exception nobody retrieved (the loop is closing).
 * @internal
 */
export function _reportUnretrieved(loop: LoopLike): void {
  const failed = failedOf.get(loop);
  if (failed === undefined) return;
  failedOf.delete(loop);
  for (const ref of failed) {
    const fut = ref.deref();
    if (fut !== undefined) reportOne(fut as Future);
  }
}

/**
 * An eventual result, with asyncio's `Future` API.
 *
 * @typeParam T The type of the result.
 *
 * @example Setting and awaiting a result
 * ```ts
 * import { Future, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const value = await run(function* () {
 *   const fut = new Future<number>();
 *   fut.getLoop().callSoon(() => fut.setResult(42));
 *   return yield* fut;
 * });
 * assert.equal(value, 42);
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  /**
   * @internal
   * @ignore
   */
  [_state]: number = PENDING;
  /**
   * @internal
   * @ignore
   */
  [_result]: T | undefined = undefined;
  /**
   * @internal
   * @ignore
   */
  [_exception]: unknown = undefined;
  #loop: LoopLike;
  // One callback is the common case; keep it out of an array.
  #cb0: AnyCallback | null = null;
  #cbs: AnyCallback[] | null = null;
  #cancelMessage: string | undefined = undefined;
  #token: WeakRef<object> | null = null;

  /**
   * Create a pending future.
   *
   * @param options.loop The loop; defaults to the running loop, else the
   *   one set with `setEventLoop()`.
   * @throws {RuntimeError} when no loop is given, running or set.
   */
  constructor(options?: { loop?: LoopLike }) {
    this.#loop = options?.loop ?? _defaultLoop("create a Future");
  }

  /** The loop this future belongs to. */
  getLoop(): LoopLike {
    return this.#loop;
  }

  /** Whether the future is done: it has a result, an exception, or was cancelled. */
  done(): boolean {
    return this[_state] !== PENDING;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this[_state] === CANCELLED;
  }

  /**
   * The result. Throws the future's exception if it has one, `CancelledError`
   * if it was cancelled, `InvalidStateError` if it is not done yet.
   */
  result(): T {
    if (this[_state] === FINISHED) {
      if (this[_exception] !== undefined) {
        this.#retrieved();
        throw this[_exception];
      }
      return this[_result] as T;
    }
    if (this[_state] === CANCELLED) throw this[_makeCancelledError]();
    throw new InvalidStateError("Cannot get result: future is not done yet");
  }

  /**
   * The exception set on the future, or `undefined` if it finished with a
   * result. Throws `CancelledError` if cancelled, `InvalidStateError` if not done.
   */
  exception(): unknown {
    if (this[_state] === FINISHED) {
      this.#retrieved();
      return this[_exception];
    }
    if (this[_state] === CANCELLED) throw this[_makeCancelledError]();
    throw new InvalidStateError("Cannot get exception: future is not done yet");
  }

  /**
   * Mark the future done with `result` and schedule its callbacks.
   * @throws {InvalidStateError} if it is already done.
   */
  setResult(result: T): void {
    if (this[_state] !== PENDING) {
      throw new InvalidStateError(
        `Cannot set result: future is already ${this.#stateName()}`,
      );
    }
    this[_result] = result;
    this[_state] = FINISHED;
    this.#scheduleCallbacks();
  }

  /**
   * Mark the future done with an exception and schedule its callbacks. An
   * exception nobody retrieves is reported to the loop's exception handler.
   * @throws {InvalidStateError} if it is already done.
   * @throws {TypeError} for `undefined` (it would read as "no exception").
   */
  setException(exception: unknown): void {
    if (this[_state] !== PENDING) {
      throw new InvalidStateError(
        `Cannot set exception: future is already ${this.#stateName()}`,
      );
    }
    if (exception === undefined) {
      throw new TypeError(
        "Cannot set exception: undefined is not an exception, pass an Error",
      );
    }
    this[_exception] = exception;
    this[_state] = FINISHED;
    const token = this.#token = new WeakRef(this);
    let failed = failedOf.get(this.#loop);
    if (failed === undefined) failedOf.set(this.#loop, failed = new Set());
    failed.add(token);
    unretrieved.register(this, {
      loop: this.#loop,
      exception: detached(exception),
      kind: this[_kind](),
    }, this.#token);
    this.#scheduleCallbacks();
  }

  /**
   * Cancel the future and schedule its callbacks. Returns false if it was
   * already done.
   * @param msg A message carried by the `CancelledError`.
   */
  cancel(msg?: string): boolean {
    if (this[_state] !== PENDING) return false;
    this[_state] = CANCELLED;
    this.#cancelMessage = msg;
    this.#scheduleCallbacks();
    return true;
  }

  /**
   * Call `callback(future)` when done, through `callSoon`; if the future is
   * already done, it is scheduled at once.
   */
  addDoneCallback(callback: DoneCallback<this>): void {
    if (typeof callback !== "function") {
      _checkCallable("add a done callback", "callback", callback);
    }
    const cb = callback as AnyCallback;
    if (this[_state] !== PENDING) {
      this.#loop[_callSoon1](cb, this);
    } else if (this.#cb0 === null && this.#cbs === null) {
      this.#cb0 = cb;
    } else {
      (this.#cbs ??= []).push(cb);
    }
  }

  /**
   * Wake `task` when done, without a closure: the task's hot path.
   * @internal
   * @ignore
   */
  [_addTaskWaiter](task: { [_wakeup](): void }): void {
    if (this[_state] !== PENDING) {
      this.#loop[_callSoon1](wakeTask, task);
    } else if (this.#cb0 === null && this.#cbs === null) {
      this.#cb0 = task as unknown as AnyCallback;
    } else {
      (this.#cbs ??= []).push(task as unknown as AnyCallback);
    }
  }

  /** Remove every registration of `callback`; returns how many were removed. */
  removeDoneCallback(callback: DoneCallback<this>): number {
    let n = 0;
    if (this.#cb0 === callback) {
      this.#cb0 = null;
      n++;
    }
    if (this.#cbs !== null) {
      const before = this.#cbs.length;
      this.#cbs = this.#cbs.filter((cb) => cb !== callback);
      n += before - this.#cbs.length;
    }
    return n;
  }

  /** Yields the future while pending, then returns its result (`yield*`). */
  [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return new FutureIterator(this);
  }

  /**
   * @internal Called by the iterator as the coroutine suspends on it.
   * @ignore
   */
  [_suspending](): void {
    _blocking.future = this;
    // In debug mode, remember where the coroutine suspends: only here are
    // its generator frames on the stack.
    if (this.#loop.getDebug()) _suspension.stack = new Error().stack;
  }

  /**
   * Thenable: `await fut` in an async function. Inside a task, the task
   * learns which future it waits on, so `task.cancel()` cancels it.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return _awaitHook(this, onfulfilled, onrejected);
  }

  /**
   * The `CancelledError` this future throws (with its cancel message). @internal
   * @ignore
   */
  [_makeCancelledError](): CancelledError {
    return new CancelledError(this.#cancelMessage);
  }

  /**
   * The cancel message given to `cancel(msg)`. @internal
   * @ignore
   */
  [_cancelMessage](): string | undefined {
    return this.#cancelMessage;
  }

  /**
   * Word used in reports ("Future", "Task"). @internal
   * @ignore
   */
  [_kind](): string {
    return "Future";
  }

  /**
   * asyncio's repr: `<Future pending>`, `<Future finished result=1>`,
   * `<Future finished exception=Error('no')>`, `<Future cancelled>`.
   */
  toString(): string {
    return `<${this[_kind]()} ${this.#stateName()}${this.#reprDetail()}>`;
  }

  // What follows the state in the repr.
  #reprDetail(): string {
    if (this[_state] !== FINISHED) return "";
    return this[_exception] !== undefined
      ? ` exception=${_reprValue(this[_exception])}`
      : ` result=${_reprValue(this[_result])}`;
  }

  /**
   * The context key naming this object in exception reports. @internal
   * @ignore
   */
  [_context](context: ExceptionContext): ExceptionContext {
    context.future = this;
    return context;
  }

  #retrieved(): void {
    const token = this.#token;
    if (token !== null) {
      unretrieved.unregister(token);
      failedOf.get(this.#loop)?.delete(token);
      this.#token = null;
    }
  }

  static {
    reportOne = (f) => f.#reportUnretrieved();
    reprDetailOf = (f) => f.#reprDetail();
  }

  // The loop is closing and nobody retrieved this future's exception:
  // report it now rather than at a collection that may never come.
  #reportUnretrieved(): void {
    if (this.#token === null) return;
    unretrieved.unregister(this.#token);
    this.#token = null;
    this.#loop.callExceptionHandler(this[_context]({
      message: `${this[_kind]()} exception was never retrieved`,
      exception: this[_exception],
    }));
  }

  #stateName(): string {
    return this[_state] === PENDING
      ? "pending"
      : this[_state] === CANCELLED
      ? "cancelled"
      : "finished";
  }

  #scheduleCallbacks(): void {
    const loop = this.#loop;
    const cb0 = this.#cb0;
    if (cb0 !== null) {
      this.#cb0 = null;
      if (typeof cb0 === "function") loop[_callSoon1](cb0, this);
      else loop[_callSoon1](wakeTask, cb0);
    }
    const cbs = this.#cbs;
    if (cbs !== null) {
      this.#cbs = null;
      for (let i = 0; i < cbs.length; i++) {
        const cb = cbs[i];
        if (typeof cb === "function") loop[_callSoon1](cb, this);
        else loop[_callSoon1](wakeTask, cb);
      }
    }
  }
}

/**
 * A copy of an Error that references nothing else. An error thrown inside a
 * task keeps that task reachable (V8's captured stack holds the frames'
 * receivers); the registry must not hold it, or the task is never collected
 * and its unretrieved exception never reported.
 */
function detached(exception: unknown): unknown {
  if (!(exception instanceof Error)) return exception;
  const copy = new Error(exception.message);
  copy.name = exception.name;
  copy.stack = exception.stack;
  return copy;
}

/**
 * `yield* fut` without a generator object: yield the future while it is
 * pending, then return its result (or throw its error).
 */
class FutureIterator<T> implements Iterator<Future<T>, T, unknown> {
  readonly #fut: Future<T>;
  #yielded = false;
  constructor(fut: Future<T>) {
    this.#fut = fut;
  }
  next(): IteratorResult<Future<T>, T> {
    const fut = this.#fut;
    if (!this.#yielded && fut[_state] === PENDING) {
      this.#yielded = true;
      fut[_suspending]();
      return { done: false, value: fut };
    }
    this.#yielded = true;
    return { done: true, value: fut.result() };
  }
  throw(err: unknown): IteratorResult<Future<T>, T> {
    // The task throws the future's error (or a cancellation) in here.
    this.#yielded = true;
    throw err;
  }
  return(value: T): IteratorResult<Future<T>, T> {
    this.#yielded = true;
    return { done: true, value };
  }
}

function wakeTask(task: { [_wakeup](): void }): void {
  task[_wakeup]();
}

/**
 * Whether `value` is one of this module's futures (a Future or Task).
 *
 * @example
 * ```ts
 * import { isFuture } from "./future.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isFuture(Promise.resolve(1)), false);
 * ```
 */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}

/** A value as a repr shows it: `Error('msg')`, `"text"`, `42`. @internal */
export function _reprValue(v: unknown): string {
  if (v instanceof Error) return `${v.name}(${JSON.stringify(v.message)})`;
  if (typeof v === "string") {
    return JSON.stringify(v.length > 40 ? v.slice(0, 37) + "..." : v);
  }
  if (typeof v === "object" && v !== null) return _describe(v);
  return _safeString(v);
}

_inspectAsRepr(Future);
