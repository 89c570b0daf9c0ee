/**
 * `Task`: runs a coroutine on the event loop, with asyncio's semantics.
 *
 * Two coroutine forms are first-class:
 *
 * - **Generator coroutines** (`function*`, awaiting with `yield*`): the task
 *   steps the generator itself with `next()` / `throw()`. Cancellation throws
 *   `CancelledError` into the generator at its `yield`, exactly like asyncio's
 *   `coro.throw()`. This is the fastest form and has asyncio's exact semantics.
 * - **Async functions** (`createTask(async () => …)`): the task runs the
 *   function and learns which of our futures it awaits (through the async
 *   context), so `cancel()` cancels that future and the `CancelledError`
 *   surfaces at the `await`. The JS difference: a cancellation requested while
 *   the function awaits a *host* promise (`fetch`, a timer) cannot interrupt
 *   it; it is delivered at its next await of one of our futures, or when the
 *   function returns (the task then ends cancelled). Two ways out: pass the
 *   task's {@linkcode Task.signal} to the host API (`fetch(url, { signal })`),
 *   which then stops with the task, or await `fromPromise(p)`, which is
 *   cancelled at once (the host operation runs on, its outcome ignored).
 *
 * @module
 */

import { _debug } from "./_debug.ts";
import type { LoopLike } from "./_loop.ts";
import { _requireLoop } from "./_loop.ts";
import { CancelledError, RuntimeError } from "./errors.ts";
import { _blocking, _reprDetail, _suspension, Future } from "./future.ts";
import { type Cancellable, taskContext } from "./_await.ts";
import { _describe } from "./_describe.ts";
import { _checkOptions } from "./_options.ts";
import * as futureKeys from "./_keys.ts";
import type { TaskLink } from "./_task_list.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _addTaskWaiter: typeof futureKeys._addTaskWaiter =
  futureKeys._addTaskWaiter;
const _asyncTaskRef: typeof futureKeys._asyncTaskRef = futureKeys._asyncTaskRef;
const _awaitEnd: typeof futureKeys._awaitEnd = futureKeys._awaitEnd;
const _awaitStart: typeof futureKeys._awaitStart = futureKeys._awaitStart;
const _callSoon1: typeof futureKeys._callSoon1 = futureKeys._callSoon1;
const _context: typeof futureKeys._context = futureKeys._context;
const _exception: typeof futureKeys._exception = futureKeys._exception;
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;
const _kind: typeof futureKeys._kind = futureKeys._kind;
const _makeCancelledError: typeof futureKeys._makeCancelledError =
  futureKeys._makeCancelledError;
const _nextTask: typeof futureKeys._nextTask = futureKeys._nextTask;
const _opStart: typeof futureKeys._opStart = futureKeys._opStart;
const _prevTask: typeof futureKeys._prevTask = futureKeys._prevTask;
const _state: typeof futureKeys._state = futureKeys._state;
const _stepNow: typeof futureKeys._stepNow = futureKeys._stepNow;
const _tasks: typeof futureKeys._tasks = futureKeys._tasks;
const _wakeup: typeof futureKeys._wakeup = futureKeys._wakeup;

/**
 * A generator coroutine returning `T`: write `function* f(): Coro<T>` and
 * await futures inside it with `yield*`.
 *
 * @example
 * ```ts
 * import { type Coro, run, sleep } from "../mod.ts";
 * function* twice(x: number): Coro<number> {
 *   yield* sleep(0);
 *   return 2 * x;
 * }
 * console.log(await run(twice(21))); // 42
 * ```
 */
export type Coro<T = unknown> = Generator<unknown, T, unknown>;

/**
 * What `createTask` accepts: a generator object (a called `function*`), a
 * generator function, a function returning a Promise (an async function), or
 * one of this module's awaitables (`sleep(1)`, `lock.acquire()`), run as
 * `yield*` would run it.
 *
 * @example
 * ```ts
 * import { type CoroutineLike, run } from "../mod.ts";
 * const a: CoroutineLike<number> = function* () {
 *   return 1;
 * };
 * const b: CoroutineLike<number> = async () => 2;
 * console.log(await run(a), await run(b));
 * ```
 */
export type CoroutineLike<T> =
  | Coro<T>
  | (() => Coro<T>)
  | (() => PromiseLike<T>)
  | Iterable<unknown, T, unknown>;

/**
 * Options of {@linkcode Task} and {@linkcode createTask}.
 *
 * @example
 * ```ts
 * import { createTask, run, type TaskOptions } from "../mod.ts";
 * const opts: TaskOptions = { name: "worker" };
 * await run(function* () {
 *   const t = createTask(function* () {}, opts);
 *   console.log(t.getName()); // worker
 *   yield* t;
 * });
 * ```
 */
export interface TaskOptions {
  /** The task's name; default `Task-<n>`. */
  name?: string;
  /** The loop; default the running loop. */
  loop?: LoopLike;
  /**
   * Run the first step at once, synchronously, as Python 3.12's eager tasks
   * do: a coroutine that finishes without waiting never touches the loop.
   */
  eagerStart?: boolean;
}

/** A task's cancellation bookkeeping beyond the common case. */
interface RareState {
  // Pending cancel() requests (cancelling()), and the last message.
  cancelRequests: number;
  cancelMsg: string | undefined;
  // Made on first read of `signal`: tasks that never read it pay nothing.
  abort: AbortController | null;
  // Debug mode: when (performance.now()) a cancellation found the async
  // function inside a host promise, to report how late it was delivered.
  cancelAt: number;
  // Cancelled while the async function held a value it was just handed:
  // delivered at its next await of ours; if it returns first, its result
  // is kept.
  lateCancel: boolean;
}

const NO_EXC: unique symbol = Symbol("no exception");
// Every key of TaskOptions (a new option must be added here too).
const TASK_OPTIONS = ["name", "loop", "eagerStart"] as const;
let taskCounter = 0;
let current: Task<unknown> | null = null;

// Debug mode only: where each generator task last suspended.
const suspendedAt = new WeakMap<object, string[]>();

function stepSoon(task: Task<unknown>): void {
  task[_stepNow]();
}

function isGenerator(x: unknown): x is Coro<unknown> {
  return typeof x === "object" && x !== null &&
    typeof (x as Coro<unknown>).next === "function" &&
    typeof (x as Coro<unknown>).throw === "function" &&
    typeof (x as Coro<unknown>)[Symbol.iterator] === "function";
}

function* delegate<T>(aw: Iterable<unknown, T, unknown>): Coro<T> {
  return yield* aw;
}

function isGeneratorFunction(fn: unknown): boolean {
  return typeof fn === "function" &&
    Object.prototype.toString.call(fn) === "[object GeneratorFunction]";
}

/**
 * A Future that runs a coroutine.
 *
 * @typeParam T The coroutine's result type.
 *
 * @example Cancelling a sleeping task
 * ```ts
 * import { CancelledError, createTask, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const task = createTask(function* () {
 *     yield* sleep(3600);
 *   });
 *   yield* sleep(0);
 *   task.cancel("enough");
 *   try {
 *     yield* task;
 *   } catch (err) {
 *     assert.ok(err instanceof CancelledError);
 *   }
 *   assert.ok(task.cancelled());
 * }, { clock: "virtual" });
 * ```
 */
export class Task<T = unknown> extends Future<T> {
  #coro: Coro<T> | null = null;
  #fn: (() => PromiseLike<T> | Coro<T>) | null = null;
  // A number until asked for: building "Task-<n>" per task costs a string.
  #name: string | number;
  #waitingOn: Cancellable | null = null;
  #mustCancel = false;

  // Async-function tasks only: parked = waiting on one of our futures, so
  // the loop need not give the JS thread back to the host for it.
  #parked = false;
  // Async-function tasks only: the last await of ours handed the function
  // its value, and it has not awaited one of ours since. A cancel() landing
  // then finds the function resumed with its value in hand (asyncio's task
  // would be mid-step): it is delivered at the next await of ours, and if
  // the function returns first, its result is kept, not dropped.
  #resumed = false;
  // What only cancellation and `signal` use, made on first need: most
  // tasks are never cancelled, and 100,000 tasks are 100,000 objects the
  // scavenger copies, so each field costs.
  #rare: RareState | null = null;
  /**
   * The loop's list of tasks not done yet runs through these
   * (`futures/_task_list.ts`). @internal
   * @ignore
   */
  [_prevTask]: TaskLink | null = null;
  /**
   * See `[_prevTask]`. @internal
   * @ignore
   */
  [_nextTask]: TaskLink | null = null;
  /**
   * Wrap a coroutine in a task and schedule its first step.
   *
   * @param coro The coroutine: a generator object, a generator function or an
   *   async function.
   * @param options Name, loop, eager start.
   * @throws {TypeError} if `coro` is none of these (a Promise is already
   *   running and cannot be made a task: pass the async function itself, or
   *   use `ensureFuture`).
   */
  constructor(coro: CoroutineLike<T>, options?: TaskOptions) {
    if (options !== undefined) {
      _checkOptions("create a task", options, TASK_OPTIONS);
    }
    const loop = options?.loop ?? _requireLoop("create a Task");
    if (loop.isClosed()) {
      throw new RuntimeError(
        "Cannot create a task: the event loop is closed, create the task on a loop that is open",
      );
    }
    super({ loop });
    if (isGenerator(coro)) {
      this.#coro = coro;
    } else if (isGeneratorFunction(coro)) {
      this.#coro = (coro as () => Coro<T>)();
      // Kept for the repr's name only: #coro is what runs.
      this.#fn = coro as () => Coro<T>;
    } else if (typeof coro === "function") {
      this.#fn = coro as () => PromiseLike<T>;
    } else if (
      typeof coro === "object" && coro !== null &&
      typeof (coro as Iterable<unknown>)[Symbol.iterator] === "function"
    ) {
      // An awaitable of ours (sleep(), lock.acquire(), a Future): run what
      // `yield*` would run, from the first step on, so an operation whose
      // task is cancelled before it starts never starts.
      this.#coro = delegate(coro as Iterable<unknown, T, unknown>);
    } else {
      throw new TypeError(
        typeof (coro as { then?: unknown } | null)?.then === "function"
          ? "Cannot create a task from a Promise: it is already running (an async function starts when called), pass the function itself: createTask(f) or createTask(() => f(x))"
          : `Cannot create a task from ${
            describe(coro)
          }: pass a generator (a called function*), a generator function or an async function`,
      );
    }
    const name = options?.name;
    this.#name = name === undefined || name === null
      ? ++taskCounter
      : String(name);
    loop[_tasks].add(this);
    if (options?.eagerStart) {
      this.#step(NO_EXC);
    } else {
      loop[_callSoon1](stepSoon, this as Task<unknown>);
    }
  }

  /** The task's name. */
  getName(): string {
    if (typeof this.#name === "number") this.#name = `Task-${this.#name}`;
    return this.#name;
  }

  /** Rename the task. */
  setName(name: string): void {
    this.#name = String(name);
  }

  /** The generator this task steps, or the async function it runs. */
  getCoro(): Coro<T> | (() => unknown) | null {
    return this.#coro ?? this.#fn;
  }

  /**
   * Where the task is suspended. In debug mode, the stack lines captured at
   * its last suspension (generator tasks); otherwise an empty array. Also see
   * {@linkcode Task.waitingOn}.
   */
  getStack(): string[] {
    return suspendedAt.get(this)?.slice() ?? [];
  }

  /** The future this task is waiting on right now, if any. */
  waitingOn(): Future<unknown> | null {
    return this.#waitingOn as Future<unknown> | null;
  }

  /**
   * An `AbortSignal` that aborts, with the `CancelledError` as its reason,
   * when the task is cancelled: pass it to host APIs so they stop with the
   * task (`await fetch(url, { signal: currentTask()!.signal })`). Without
   * it, an async function awaiting a host promise is cancelled only at its
   * next await of one of our futures. After `uncancel()` withdraws every
   * request, the next read gives a fresh signal. Made on first read.
   *
   * @example A fetch that stops with its task
   * ```ts
   * import { CancelledError, createTask, run, sleep } from "../mod.ts";
   * import assert from "node:assert/strict";
   *
   * await run(async () => {
   *   const task = createTask(async () => {
   *     // Stands for fetch(url, { signal }): a host API that takes a signal.
   *     const signal = task.signal;
   *     await new Promise((_, reject) =>
   *       signal.addEventListener("abort", () => reject(signal.reason))
   *     );
   *   });
   *   await sleep(0);
   *   task.cancel();
   *   await assert.rejects(async () => await task, CancelledError);
   * });
   * ```
   */
  get signal(): AbortSignal {
    const rare = this.#rareState();
    let ac = rare.abort;
    if (ac === null) {
      ac = rare.abort = new AbortController();
      if (rare.cancelRequests > 0 || this.cancelled()) {
        ac.abort(new CancelledError(rare.cancelMsg));
      }
    }
    return ac.signal;
  }

  /**
   * Request cancellation: the coroutine gets a `CancelledError` at its
   * current (or next) suspension point, and `signal` aborts. Returns false
   * if the task is done. Each call counts toward `cancelling()`.
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    const rare = this.#rareState();
    rare.cancelRequests++;
    const waiting = this.#waitingOn;
    if (waiting !== null && waiting.cancel(msg)) {
      // The wake-up will deliver the CancelledError.
      this.#abortSignal(msg);
      return true;
    }
    this.#mustCancel = true;
    rare.cancelMsg = msg;
    // From outside, while the function holds a value it was just handed:
    // late. From inside the function itself, it is asyncio's cancel of a
    // running task: delivered at its next await, or ends it cancelled.
    if (this.#resumed && taskContext.getStore() !== this) {
      rare.lateCancel = true;
    }
    if (this.#fn !== null && current !== this && this.getLoop().getDebug()) {
      rare.cancelAt = performance.now();
    }
    this.#abortSignal(msg);
    return true;
  }

  /**
   * Not for tasks: a task's result is what its coroutine returns.
   * @throws {RuntimeError} always, as asyncio.
   */
  override setResult(_result: T): never {
    throw new RuntimeError(
      "Cannot set the result of a task: its coroutine returns it, use a Future for results set by hand",
    );
  }

  /**
   * Not for tasks: a task fails when its coroutine throws.
   * @throws {RuntimeError} always, as asyncio.
   */
  override setException(_exc: unknown): never {
    throw new RuntimeError(
      "Cannot set the exception of a task: its coroutine throws it, use a Future for exceptions set by hand",
    );
  }

  #abortSignal(msg: string | undefined): void {
    const ac = this.#rare?.abort ?? null;
    if (ac !== null && !ac.signal.aborted) ac.abort(new CancelledError(msg));
  }

  #rareState(): RareState {
    return this.#rare ??= {
      cancelRequests: 0,
      cancelMsg: undefined,
      abort: null,
      cancelAt: 0,
      lateCancel: false,
    };
  }

  /** Debug mode: a late cancellation's request time is recorded. */
  #cancelWasLate(): boolean {
    return this.#rare !== null && this.#rare.cancelAt !== 0;
  }

  /**
   * Debug mode: the cancellation requested while the async function was
   * inside a host promise is delivered now; report it if that was late.
   */
  #reportLateCancel(): void {
    const rare = this.#rareState();
    const dt = (performance.now() - rare.cancelAt) / 1000;
    rare.cancelAt = 0;
    const loop = this.getLoop() as LoopLike & { slowCallbackDuration?: number };
    if (dt < (loop.slowCallbackDuration ?? 0.1)) return;
    const where = new Error().stack?.split("\n").slice(2).join("\n") ?? "";
    console.warn(
      `Task ${this.getName()} received its cancellation ${
        dt.toFixed(3)
      } seconds late: it was awaiting a host promise (pass currentTask().signal to the host API, or await fromPromise(promise))\ndelivered at:\n${where}`,
    );
  }

  /** How many cancellation requests are pending (Python 3.11). */
  cancelling(): number {
    return this.#rare?.cancelRequests ?? 0;
  }

  /**
   * Decrement the pending cancellation requests; returns the new count. At
   * zero, a cancellation not yet delivered is withdrawn (Python 3.13).
   */
  uncancel(): number {
    const rare = this.#rare;
    if (rare === null) return 0;
    if (rare.cancelRequests > 0) {
      rare.cancelRequests--;
      if (rare.cancelRequests === 0) {
        this.#mustCancel = false;
        // A withdrawn cancellation must not stop the next host call.
        if (rare.abort?.signal.aborted) rare.abort = null;
      }
    }
    return rare.cancelRequests;
  }

  /**
   * @internal
   * @ignore
   */
  override [_kind](): string {
    return "Task";
  }

  /**
   * asyncio's repr: `<Task pending name='Task-1' coro=<main()>>`, with the
   * result or exception once finished.
   */
  override toString(): string {
    const state = this.done()
      ? (this.cancelled() ? "cancelled" : "finished")
      : "pending";
    return `<Task ${state} name='${this.getName()}' coro=<${
      this.#fn?.name || "coroutine"
    }()>${_reprDetail(this)}>`;
  }

  /**
   * @internal
   * @ignore
   */
  override [_context](
    context: import("./_loop.ts").ExceptionContext,
  ): import("./_loop.ts").ExceptionContext {
    context.task = this;
    return context;
  }

  /**
   * @internal Called when its async function awaits one of our futures;
   * returns an error the await must fail with instead of waiting.
   * @ignore
   */
  [_awaitStart](fut: Cancellable): RuntimeError | null {
    // The refusals are built elsewhere: this runs at every await, and a
    // body small enough to inline keeps the await cheap.
    if (
      fut === this ||
      (fut instanceof Future && fut.getLoop() !== this.getLoop())
    ) {
      return this.#awaitRefused(fut);
    }
    this.#resumed = false;
    if (this.#rare !== null) this.#rare.lateCancel = false;
    this.#waitingOn = fut;
    if (!this.#parked) {
      this.#parked = true;
      this.getLoop()[_hostRef](-1);
    }
    if (this.#mustCancel && fut.cancel(this.#rare?.cancelMsg)) {
      this.#mustCancel = false;
      if (this.#cancelWasLate()) this.#reportLateCancel();
    }
    return null;
  }

  // Why `_awaitStart(fut)` refuses: a self-await or another loop's future.
  #awaitRefused(fut: Cancellable): RuntimeError {
    return fut === this
      ? new RuntimeError(
        `Cannot await task ${this.getName()} from inside itself: it would wait forever`,
      )
      : new RuntimeError(
        `Task ${this.getName()} got a Future attached to a different loop: create it on the loop the task runs on`,
      );
  }

  /**
   * @internal An operation of ours starts at an await (see AsyncAwaiter).
   * @ignore
   */
  [_opStart](): CancelledError | null {
    if (this.#mustCancel) {
      this.#mustCancel = false;
      return new CancelledError(this.#rare?.cancelMsg);
    }
    // If it completes at once, the function resumes with its value; if it
    // waits, _awaitStart clears this.
    this.#resumed = true;
    if (this.#rare !== null) this.#rare.lateCancel = false;
    return null;
  }

  /**
   * @internal Called when that await ends; may owe a CancelledError.
   * @ignore
   */
  [_awaitEnd](fut: Cancellable): CancelledError | null {
    if (this.#waitingOn === fut) this.#waitingOn = null;
    if (this.#parked) {
      this.#parked = false;
      this.getLoop()[_hostRef](1);
    }
    if (!this.#mustCancel) {
      this.#resumed = true;
      return null;
    }
    this.#mustCancel = false;
    if (this.#cancelWasLate()) this.#reportLateCancel();
    return new CancelledError(this.#rare?.cancelMsg);
  }

  #step(exc: unknown, timed = false): void {
    if (_debug.on && !timed) {
      this.#stepTimed(exc);
      return;
    }
    if (this.done()) return;
    if (this.#mustCancel) {
      if (!(exc instanceof CancelledError)) {
        exc = new CancelledError(this.#rare?.cancelMsg);
      }
      this.#mustCancel = false;
    }
    this.#waitingOn = null;
    const coro = this.#coro;
    if (coro === null) {
      this.#startAsync(exc);
      return;
    }
    const prev = current;
    current = this as Task<unknown>;
    let r: IteratorResult<unknown, T>;
    try {
      if (exc === NO_EXC) r = coro.next();
      else if (typeof coro.throw === "function") r = coro.throw(exc);
      // An iterator without throw() (a plain awaitable) just fails with it.
      else throw exc;
    } catch (err) {
      current = prev;
      this.#fail(err);
      return;
    }
    current = prev;
    if (r.done) {
      this.#succeed(r.value);
      return;
    }
    const y = r.value;
    if (y === undefined) {
      // A bare `yield`: give up the loop for one iteration (sleep(0)).
      this.getLoop()[_callSoon1](stepSoon, this as Task<unknown>);
    } else if (y === _blocking.future && y instanceof Future) {
      _blocking.future = null;
      this.#await(y);
    } else {
      this.#badYield(y);
    }
  }

  // asyncio: "yield was used instead of yield from". Apart from #step,
  // which runs at every step.
  #badYield(y: unknown): void {
    this.#throwSoon(
      new RuntimeError(
        `Task ${this.getName()} got ${
          describe(y)
        } from a bare yield: use yield* to wait for it (yield without * drops its result)`,
      ),
    );
  }

  // Debug mode: report slow steps, as slow callbacks are (a task step runs
  // without a Handle, so the loop cannot time it). Apart from #step, so the
  // step itself stays one frame.
  #stepTimed(exc: unknown): void {
    const t0 = performance.now();
    try {
      this.#step(exc, true);
    } finally {
      const dt = (performance.now() - t0) / 1000;
      const limit = (this.getLoop() as { slowCallbackDuration?: number })
        .slowCallbackDuration ?? 0.1;
      if (dt >= limit) {
        console.warn(`Executing ${this} took ${dt.toFixed(3)} seconds`);
      }
    }
  }

  #await(fut: Future<unknown>): void {
    if (fut === this) {
      this.#throwSoon(
        new RuntimeError(`Task ${this.getName()} cannot await itself`),
      );
      return;
    }
    if (fut.getLoop() !== this.getLoop()) {
      this.#throwSoon(
        new RuntimeError(
          `Task ${this.getName()} got a Future attached to a different loop`,
        ),
      );
      return;
    }
    if (_suspension.stack !== undefined) {
      suspendedAt.set(this, _suspension.stack.split("\n").slice(1));
      _suspension.stack = undefined;
    }
    fut[_addTaskWaiter](this as Task<unknown>);
    this.#waitingOn = fut;
    if (this.#mustCancel && fut.cancel(this.#rare?.cancelMsg)) {
      this.#mustCancel = false;
    }
  }

  /**
   * @internal Step without an error (scheduled by `callSoon`).
   * @ignore
   */
  [_stepNow](): void {
    this.#step(NO_EXC);
  }

  /**
   * @internal The awaited future is done: resume with its outcome.
   * @ignore
   */
  [_wakeup](): void {
    // Still set: only #step clears it.
    const fut = this.#waitingOn as Future<unknown>;
    if (fut[_state] === 2 && fut[_exception] !== undefined) {
      // exception(), not the field: the error is now retrieved.
      this.#step(fut.exception());
    } else if (fut[_state] === 1) {
      this.#step(fut[_makeCancelledError]());
    } else {
      this.#step(NO_EXC);
    }
  }

  #throwSoon(err: unknown): void {
    this.getLoop()[_callSoon1]((e: unknown) => this.#step(e), err);
  }

  #startAsync(exc: unknown): void {
    const fn = this.#fn!;
    this.#fn = null;
    if (exc !== NO_EXC) {
      // Cancelled before it ever ran: the function never starts.
      this.#fail(exc);
      return;
    }
    const loop = this.getLoop();
    // Counted before the call: the function may await (park) synchronously.
    loop[_asyncTaskRef](1);
    loop[_hostRef](1);
    const prev = current;
    current = this as Task<unknown>;
    let ret: PromiseLike<T> | Coro<T>;
    try {
      ret = taskContext.run(this, fn);
    } catch (err) {
      current = prev;
      this.#settled();
      this.#fail(err);
      return;
    }
    current = prev;
    if (isGenerator(ret)) {
      this.#settled();
      this.#coro = ret as Coro<T>;
      this.#step(NO_EXC);
      return;
    }
    this.#fn = fn;
    Promise.resolve(ret).then(
      (value) => {
        this.#settled();
        this.#succeed(value);
      },
      (err) => {
        this.#settled();
        this.#fail(err);
      },
    );
  }

  /** The async function ended: it no longer counts as host work. */
  #settled(): void {
    const loop = this.getLoop();
    loop[_asyncTaskRef](-1);
    if (!this.#parked) loop[_hostRef](-1);
    this.#parked = false;
  }

  #succeed(value: T): void {
    this.getLoop()[_tasks].delete(this);
    if (this.#mustCancel && !(this.#rare?.lateCancel ?? false)) {
      this.#mustCancel = false;
      if (this.#cancelWasLate()) this.#reportLateCancel();
      super.cancel(this.#rare?.cancelMsg);
    } else {
      super.setResult(value);
    }
  }

  #fail(err: unknown): void {
    this.getLoop()[_tasks].delete(this);
    if (err instanceof CancelledError) {
      super.cancel(err.message || undefined);
    } else {
      super.setException(err);
    }
  }
}

/**
 * Schedule a coroutine as a task on the running loop and return the task.
 *
 * @param coro A generator object, generator function or async function.
 * @param options The task's name, eager start.
 * @returns The new task.
 * @throws {RuntimeError} when no loop is running.
 *
 * @example Two ways to write the same task
 * ```ts
 * import { createTask, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const a = createTask(function* () {
 *     yield* sleep(0.1);
 *     return "gen";
 *   });
 *   const b = createTask(async () => {
 *     await sleep(0.1);
 *     return "async";
 *   });
 *   assert.equal(yield* a, "gen");
 *   assert.equal(yield* b, "async");
 * });
 * ```
 */
export function createTask<T>(
  coro: CoroutineLike<T>,
  options?: TaskOptions,
): Task<T> {
  return new Task(coro, options);
}

/**
 * The task running now, or null outside any task.
 *
 * @example
 * ```ts
 * import { currentTask, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * await run(function* () {
 *   assert.ok(currentTask() !== null);
 * });
 * assert.equal(currentTask(), null);
 * ```
 */
export function currentTask(): Task<unknown> | null {
  if (current !== null) return current;
  const t = taskContext.getStore();
  return t instanceof Task ? t : null;
}

/**
 * The tasks of the running loop (or of `loop`) that are not done yet.
 *
 * @example
 * ```ts
 * import { allTasks, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * await run(function* () {
 *   assert.equal(allTasks().size, 1); // the main task
 * });
 * ```
 */
export function allTasks(loop?: LoopLike): Set<Task<unknown>> {
  const l = loop ?? _requireLoop("list tasks");
  const out = new Set<Task<unknown>>();
  for (const t of l[_tasks]) {
    if (t instanceof Task && !t.done()) out.add(t);
  }
  return out;
}

function describe(x: unknown): string {
  if (x instanceof Future) return String(x);
  if (
    typeof x === "object" && x !== null &&
    typeof (x as PromiseLike<unknown>).then === "function"
  ) {
    return typeof (x as Iterable<unknown>)[Symbol.iterator] === "function"
      ? "one of our awaitables (sleep(), lock.acquire(), ...)"
      : "a Promise";
  }
  return _describe(x);
}
