/**
 * `EventLoop`: the scheduler. One file, one screen per concern: the ready
 * queue, the timer heap, I/O readiness through a selector from `poll/`, the
 * thread-safe wake-up, and living inside Deno's own event loop.
 *
 * One iteration (`#runOnce`): drop cancelled timers; the timeout is 0 if
 * anything is ready, else until the next timer; `select(timeout)`; queue the
 * ready I/O callbacks and the due timers; run exactly the callbacks that were
 * ready when the iteration began.
 *
 * Living inside Deno: while only generator tasks and fds are involved, the
 * loop runs (and waits) synchronously, never yielding to the host. While an
 * async-function task runs or a host promise is awaited, it lets microtasks
 * run between iterations and waits with `selectAsync` (Deno's thread pool),
 * woken through the wake-up fd when host code schedules work.
 *
 * @module
 */

import type { ExceptionContext, LoopLike } from "../futures/_loop.ts";
import {
  _getRunningLoopOrNull,
  _refreshDebug,
  _setRunningLoop,
} from "../futures/_loop.ts";
import { Future } from "../futures/future.ts";
import { type CoroutineLike, Task, type TaskOptions } from "../futures/task.ts";
import { ensureFuture } from "../futures/ensure_future.ts";
import { EVENT_READ, EVENT_WRITE } from "../poll/types.ts";
import type { FileObject, Selector, SelectResult } from "../poll/types.ts";
import { DefaultSelector } from "../poll/default.ts";
import { fileno } from "../poll/fileno.ts";
import { monotonic } from "../poll/clock.ts";
import { Wakeup } from "../poll/wakeup.ts";
import { Handle, TimerHandle } from "./handles.ts";
import { TimerHeap } from "./_timer_heap.ts";
import { RuntimeError } from "../futures/errors.ts";
import { _describe } from "../futures/_describe.ts";
import { _checkCallable, _checkOptions } from "../futures/_options.ts";
import { _formatContext, lastResortLog } from "./_exception_log.ts";

/**
 * Options of {@linkcode EventLoop}.
 *
 * @example
 * ```ts
 * import { type EventLoopOptions, newEventLoop } from "../mod.ts";
 * const opts: EventLoopOptions = { clock: "virtual", debug: true };
 * using loop = newEventLoop(opts);
 * console.log(loop.getDebug()); // true
 * ```
 */
export interface EventLoopOptions {
  /** The selector to poll with; default `new DefaultSelector()`. */
  selector?: Selector<unknown>;
  /**
   * `"real"` (default): `time()` is the monotonic clock. `"virtual"`: time
   * stands still while callbacks run and, when the loop is idle with no fd or
   * host work pending, jumps to the next timer, so `sleep(3600)` finishes at
   * once with exact timing. For tests of time-dependent code.
   */
  clock?: "real" | "virtual";
  /** Start in debug mode. */
  debug?: boolean;
}

/**
 * An exception handler: `(loop, context) => void`.
 *
 * @example
 * ```ts
 * import { type ExceptionHandler, newEventLoop } from "../mod.ts";
 * using loop = newEventLoop();
 * const handler: ExceptionHandler = (_loop, ctx) => console.log(ctx.message);
 * loop.setExceptionHandler(handler);
 * ```
 */
export type ExceptionHandler = (
  loop: EventLoop,
  context: ExceptionContext,
) => void;

/** Reader and writer callbacks of one fd, kept as its selector data. @internal */
export interface IoHandles {
  reader: Handle | null;
  writer: Handle | null;
}

// How many iterations may run back to back without polling the selector when
// callbacks are always ready; it bounds I/O latency under a busy ready queue
// while saving a syscall per iteration (asyncio polls every iteration).
const POLL_EVERY = 64;
// asyncio compacts the timer heap when cancelled handles dominate it.
const MIN_HEAP_FOR_COMPACTION = 100;
const CLOCK_RESOLUTION = 1e-6;
const NO_ARGS: unknown[] = [];
// Longest single wait on Deno's thread pool (seconds); the loop simply waits
// again after it.
const MAX_POOLED_WAIT = 0.5;
// Microtask turns to wait for async functions to reach their next await
// before falling back to a host wait.
const MICROTASK_SPINS = 6;

// Every key of EventLoopOptions: a new option must be added here too, or
// the constructor rejects it as unknown.
const LOOP_OPTIONS = ["selector", "clock", "debug"] as const;

function checkLoopOptions(options: EventLoopOptions | undefined): void {
  _checkOptions("create an event loop", options, LOOP_OPTIONS);
  if (options === undefined) return;
  const { selector, clock, debug } = options;
  if (clock !== undefined && clock !== "real" && clock !== "virtual") {
    throw new TypeError(
      `Cannot create an event loop: clock must be "real" or "virtual", got ${
        _describe(clock)
      }`,
    );
  }
  if (debug !== undefined && typeof debug !== "boolean") {
    throw new TypeError(
      `Cannot create an event loop: debug must be a boolean, got ${
        _describe(debug)
      }`,
    );
  }
  if (selector !== undefined) {
    const s = selector as unknown as Record<string, unknown> | null;
    for (const m of ["register", "unregister", "modify", "select", "close"]) {
      if (typeof s !== "object" || s === null || typeof s[m] !== "function") {
        throw new TypeError(
          `Cannot create an event loop: selector must be a Selector (with ${m}()), got ${
            _describe(selector)
          }`,
        );
      }
    }
  }
}

// Loops collected without close(). Their selector and wake-up fd close
// themselves (poll/ has its own finalizers); this only warns in debug mode.
const dropped = new FinalizationRegistry<{ debug: boolean; closed: boolean }>(
  (state) => {
    if (state.debug && !state.closed) {
      console.warn(
        "ResourceWarning: unclosed event loop collected, call loop.close() (or use `using loop = newEventLoop()`)",
      );
    }
  },
);

/**
 * An asyncio event loop on a `poll/` selector.
 *
 * Differences from asyncio, for JavaScript reasons: `runForever()` and
 * `runUntilComplete()` return Promises (the loop may need to give the JS
 * thread back to Deno while it waits, see the module doc); while callbacks
 * are continuously ready, the selector is polled every 64 iterations rather
 * than every one.
 *
 * @example Scheduling callbacks and timers
 * ```ts
 * import { newEventLoop } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop({ clock: "virtual" });
 * const order: string[] = [];
 * loop.callLater(0.2, () => order.push("later"));
 * loop.callSoon(() => order.push("soon"));
 * loop.callLater(0.3, () => loop.stop());
 * await loop.runForever();
 * loop.close();
 * assert.deepEqual(order, ["soon", "later"]);
 * ```
 */
export class EventLoop implements LoopLike {
  /** Callbacks slower than this (seconds) are reported in debug mode. */
  slowCallbackDuration = 0.1;
  /** @internal Tasks not done yet: strong references, as asyncio should. */
  readonly _tasks: Set<unknown> = new Set();
  /** @internal Failed futures nobody looked at yet, reported at close. */
  _unretrieved: Set<WeakRef<object>> = new Set();

  readonly #selector: Selector<IoHandles | null>;
  readonly #wakeup: Wakeup;
  readonly #virtual: boolean;
  #vtime = 0;
  // Ready queue: parallel arrays; an entry is a Handle, or a function with
  // its one argument (internal callbacks, which need no Handle).
  #readyFn: unknown[] = [];
  #readyArg: unknown[] = [];
  #head = 0;
  readonly #timers = new TimerHeap();
  #timerSeq = 0;
  #timerCancelled = 0;
  #ioCount = 0;
  #sincePoll = 0;
  #running = false;
  #stopping = false;
  #closed = false;
  #debug: boolean;
  #handler: ExceptionHandler | null = null;
  #hostWork = 0;
  #asyncTasks = 0;
  #hostWaiting = false;
  #signalled = false;

  /**
   * Create a loop; it is not running until `runForever()` or `runUntilComplete()`.
   *
   * @param options Selector, clock and debug mode. */
  constructor(options?: EventLoopOptions) {
    // Validate everything first, allocate after: bad options leak no fd.
    checkLoopOptions(options);
    this.#virtual = options?.clock === "virtual";
    this.#debug = options?.debug ?? false;
    this.#finalState.debug = this.#debug;
    const own = options?.selector === undefined;
    const selector = (options?.selector ??
      new DefaultSelector()) as Selector<IoHandles | null>;
    let wakeup: Wakeup | null = null;
    try {
      wakeup = new Wakeup();
      selector.register(wakeup.fd, EVENT_READ, null);
    } catch (err) {
      wakeup?.close();
      if (own) selector.close();
      throw err;
    }
    this.#selector = selector;
    this.#wakeup = wakeup;
    // A loop dropped without close(): its selector and wake-up fd close
    // themselves when collected; in debug mode, say so (asyncio's
    // ResourceWarning "unclosed event loop").
    dropped.register(this, this.#finalState, this);
  }

  // Read by the finalizer: no reference back to the loop.
  readonly #finalState = { debug: false, closed: false };

  // ---- time -------------------------------------------------------------

  /** The loop's monotonic clock in seconds (virtual time on a virtual loop). */
  time(): number {
    return this.#virtual ? this.#vtime : monotonic();
  }

  // ---- scheduling -------------------------------------------------------

  /**
   * Run `callback(...args)` in the next iteration. Callbacks run in the
   * order they were scheduled.
   */
  callSoon<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): Handle {
    if (typeof callback !== "function") {
      _checkCallable("schedule a callback", "callback", callback);
    }
    this.#checkClosed("schedule a callback");
    const h = new Handle(
      callback as (...a: never[]) => unknown,
      args.length === 0 ? NO_ARGS : args,
    );
    if (this.#debug) h._source = new Error().stack;
    this.#readyFn.push(h);
    this.#readyArg.push(undefined);
    if (this.#hostWaiting) this.#wake();
    return h;
  }

  /**
   * As `callSoon`, but safe to call from host code while the loop waits (a
   * host promise's callback, a Worker's message handler, an FFI callback):
   * it wakes the loop through its wake-up fd.
   */
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): Handle {
    const h = this.callSoon(callback, ...args);
    this.#wake();
    return h;
  }

  /** @internal Schedule `fn(arg)` without a Handle (futures and tasks). */
  _callSoon1<A>(fn: (arg: A) => void, arg: A): void {
    this.#readyFn.push(fn);
    this.#readyArg.push(arg);
    if (this.#hostWaiting) this.#wake();
  }

  /** Run `callback(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => void,
    ...args: A
  ): TimerHandle {
    if (typeof delay !== "number" || Number.isNaN(delay)) {
      throw new TypeError(
        `Cannot schedule a callback: delay must be a number of seconds, got ${
          _describe(delay)
        }`,
      );
    }
    return this.#schedule(this.time() + delay, callback, args);
  }

  /** Run `callback(...args)` at loop time `when` (seconds, see `time()`). */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => void,
    ...args: A
  ): TimerHandle {
    if (typeof when !== "number" || Number.isNaN(when)) {
      throw new TypeError(
        `Cannot schedule a callback: when must be a loop time in seconds, got ${
          _describe(when)
        }`,
      );
    }
    return this.#schedule(when, callback, args);
  }

  #schedule<A extends unknown[]>(
    when: number,
    callback: (...args: A) => void,
    args: A,
  ): TimerHandle {
    if (typeof callback !== "function") {
      _checkCallable("schedule a callback", "callback", callback);
    }
    this.#checkClosed("schedule a callback");
    const h = new TimerHandle(
      when,
      this.#timerSeq++,
      callback as (...a: never[]) => unknown,
      // Keep no per-timer empty array alive until the timer fires.
      args.length === 0 ? NO_ARGS : args,
      this,
    );
    if (this.#debug) h._source = new Error().stack;
    // An infinite delay is "never" (asyncio): the handle exists, the heap
    // never sees it, and a program waiting only on it is deadlocked.
    if (when === Infinity) return h;
    h._scheduled = true;
    this.#timers.push(h);
    if (this.#hostWaiting) this.#wake();
    return h;
  }

  /** @internal A timer in the heap was cancelled; compact when they dominate. */
  _timerHandleCancelled(_h: TimerHandle): void {
    this.#timerCancelled++;
  }

  /** Create a Future attached to this loop. */
  createFuture<T = unknown>(): Future<T> {
    return new Future<T>({ loop: this });
  }

  /** Wrap a coroutine in a Task on this loop. */
  createTask<T>(coro: CoroutineLike<T>, options?: TaskOptions): Task<T> {
    this.#checkClosed("create a task");
    return new Task(coro, { ...options, loop: this });
  }

  // ---- I/O --------------------------------------------------------------

  /** Call `callback(...args)` whenever `fd` is readable; replaces a previous reader. */
  addReader<A extends unknown[]>(
    fd: FileObject,
    callback: (...args: A) => void,
    ...args: A
  ): void {
    this.#addIo(fd, EVENT_READ, callback as (...a: never[]) => unknown, args);
  }

  /** Stop watching `fd` for reading; returns whether it was watched. */
  removeReader(fd: FileObject): boolean {
    return this.#removeIo(fd, EVENT_READ);
  }

  /** Call `callback(...args)` whenever `fd` is writable; replaces a previous writer. */
  addWriter<A extends unknown[]>(
    fd: FileObject,
    callback: (...args: A) => void,
    ...args: A
  ): void {
    this.#addIo(fd, EVENT_WRITE, callback as (...a: never[]) => unknown, args);
  }

  /** Stop watching `fd` for writing; returns whether it was watched. */
  removeWriter(fd: FileObject): boolean {
    return this.#removeIo(fd, EVENT_WRITE);
  }

  #addIo(
    fileobj: FileObject,
    event: number,
    cb: (...a: never[]) => unknown,
    args: unknown[],
  ): void {
    if (typeof cb !== "function") {
      _checkCallable(
        event === EVENT_READ ? "add a reader" : "add a writer",
        "callback",
        cb,
      );
    }
    this.#checkClosed(event === EVENT_READ ? "add a reader" : "add a writer");
    const fd = fileno(
      fileobj,
      event === EVENT_READ ? "add a reader" : "add a writer",
    );
    if (fd === this.#wakeup.fd) {
      throw new RangeError(
        `Cannot watch fd ${fd}: it is the loop's own wake-up fd`,
      );
    }
    const h = new Handle(cb, args);
    const key = this.#selector.getMap().get(fd);
    if (key === undefined) {
      const io: IoHandles = event === EVENT_READ
        ? { reader: h, writer: null }
        : { reader: null, writer: h };
      this.#selector.register(fd, event, io);
      this.#ioCount++;
    } else {
      const io = key.data!;
      const old = event === EVENT_READ ? io.reader : io.writer;
      if (event === EVENT_READ) io.reader = h;
      else io.writer = h;
      if (old !== null) old.cancel();
      if ((key.events & event) === 0) {
        this.#selector.modify(fd, key.events | event, io);
      }
    }
    // A waiting pooled select must restart with the new interest set.
    if (this.#hostWaiting) this.#wake();
  }

  #removeIo(fileobj: FileObject, event: number): boolean {
    if (this.#closed) return false;
    const fd = fileno(fileobj, "remove a watcher");
    const key = this.#selector.getMap().get(fd);
    if (key === undefined || key.data === null) return false;
    const io = key.data;
    const old = event === EVENT_READ ? io.reader : io.writer;
    if (old === null) return false;
    old.cancel();
    if (event === EVENT_READ) io.reader = null;
    else io.writer = null;
    const rest = key.events & ~event;
    if (rest === 0) {
      this.#selector.unregister(fd);
      this.#ioCount--;
    } else {
      this.#selector.modify(fd, rest, io);
    }
    if (this.#hostWaiting) this.#wake();
    return true;
  }

  // ---- running ----------------------------------------------------------

  /**
   * Run until `stop()` is called. Returns a Promise (the loop may need to
   * give the JS thread to Deno while it waits).
   *
   * @throws {RuntimeError} if the loop is closed, already running, or another
   *   loop is running on this thread.
   */
  async runForever(): Promise<void> {
    this.#checkRunnable();
    this.#running = true;
    const prev = _setRunningLoop(this);
    try {
      // As asyncio: at least one iteration, even if stop() came first.
      for (;;) {
        if (this.#hostWork === 0 && this.#asyncTasks === 0) {
          // Pure generator/callback work: run and wait synchronously.
          this.#runOnce(true);
          if (this.#stopping) break;
          continue;
        }
        // Async functions resumed by the last iteration run now, up to their
        // next await, as a task step runs to its next await in asyncio.
        for (let i = 0; i < MICROTASK_SPINS && this.#hostWork > 0; i++) {
          await null;
        }
        if (!this.#stopping && this.#readyEmpty() && !this.#timerDue()) {
          if (this.#hostWork === 0 && this.#asyncTasks === 0) continue;
          await this.#waitHost();
        }
        this.#runOnce(false);
        if (this.#stopping) break;
      }
    } finally {
      this.#stopping = false;
      this.#running = false;
      _setRunningLoop(prev);
    }
  }

  /**
   * Run until `future` (a Future, a coroutine, or a Promise) is done and
   * return its result.
   *
   * @throws {RuntimeError} if the loop is closed or running, or stops before
   *   it is done; otherwise what the future throws.
   */
  async runUntilComplete<T>(
    future: Future<T> | CoroutineLike<T> | PromiseLike<T>,
  ): Promise<T> {
    // Refuse before wrapping: no task is left behind on this loop.
    this.#checkRunnable();
    const fut = ensureFuture(future, { loop: this });
    const stop = (): void => this.stop();
    fut.addDoneCallback(stop);
    try {
      await this.runForever();
    } finally {
      fut.removeDoneCallback(stop);
    }
    if (!fut.done()) {
      throw new RuntimeError(
        "Cannot return a result: the event loop stopped before the future completed",
      );
    }
    return fut.result();
  }

  /** Stop after the current iteration. */
  stop(): void {
    this.#stopping = true;
    if (this.#hostWaiting) this.#wake();
  }

  /** Whether the loop is running. */
  isRunning(): boolean {
    return this.#running;
  }

  /** Whether the loop is closed. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Close the loop: drop pending callbacks, close the selector and wake-up fd.
   * Idempotent. In debug mode, tasks still pending are reported.
   *
   * Futures and tasks of this loop that failed and whose exception nobody
   * retrieved are reported ("Task exception was never retrieved"), as a
   * short program would otherwise exit silently.
   *
   * @throws {RuntimeError} if the loop is running.
   */
  close(): void {
    if (this.#running) {
      throw new RuntimeError(
        "Cannot close a running event loop: stop it first",
      );
    }
    if (this.#closed) return;
    this.#finalState.closed = true;
    dropped.unregister(this);
    if (this.#debug) {
      for (const t of this._tasks) {
        if (t instanceof Task && !t.done()) {
          this.callExceptionHandler({
            message: "Task was destroyed but it is pending",
            task: t,
          });
        }
      }
    }
    this.#reportUnretrieved();
    this.#closed = true;
    this.#readyFn = [];
    this.#readyArg = [];
    this.#head = 0;
    this.#timers.clear();
    this._tasks.clear();
    this.#selector.close();
    this.#wakeup.close();
  }

  /** Closes the loop (`using loop = newEventLoop()`). */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- errors and debug -------------------------------------------------

  /** Set the handler for errors nobody can catch; null restores the default. */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(
        "Cannot set exception handler: expected a function or null",
      );
    }
    this.#handler = handler;
  }

  /** The handler set with `setExceptionHandler`, or null. */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#handler;
  }

  /**
   * Report an error: to the handler if set, else `defaultExceptionHandler`.
   * Never throws: a handler that throws is itself reported, with the
   * original context (asyncio's "Unhandled error in exception handler").
   */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#handler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (err) {
        // An overridden defaultExceptionHandler failed.
        lastResortLog("Exception in default exception handler", err, context);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (err) {
      try {
        this.defaultExceptionHandler({
          message: "Unhandled error in exception handler",
          exception: err,
          context,
        });
      } catch (err2) {
        lastResortLog(
          "Exception in default exception handler while handling an unexpected error in custom exception handler",
          err2,
          context,
        );
      }
    }
  }

  /**
   * Log `context` to the console with its message, error and keys. Never
   * throws, whatever the values (an object without `toString`, a thrown
   * non-Error).
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    console.error(_formatContext(context));
  }

  /** Whether debug mode is on. */
  getDebug(): boolean {
    return this.#debug;
  }

  /** Turn debug mode on or off (slow callbacks, pending tasks at close). */
  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
    this.#finalState.debug = this.#debug;
    if (this.#running) _refreshDebug();
  }

  // ---- internals --------------------------------------------------------

  /** @internal */
  _hostRef(delta: number): void {
    this.#hostWork += delta;
  }

  /** @internal */
  _asyncTaskRef(delta: number): void {
    this.#asyncTasks += delta;
  }

  #checkClosed(what: string): void {
    if (this.#closed) {
      throw new RuntimeError(
        `Cannot ${what}: the event loop is closed, use a new loop`,
      );
    }
  }

  #checkRunnable(): void {
    this.#checkClosed("run the event loop");
    if (this.#running) {
      throw new RuntimeError(
        "Cannot run the event loop: it is already running, await the run in progress instead",
      );
    }
    if (_getRunningLoopOrNull() !== null) {
      throw new RuntimeError(
        "Cannot run the event loop: another loop is running on this thread, await the coroutine in that loop instead",
      );
    }
  }

  #reportUnretrieved(): void {
    const failed = this._unretrieved;
    if (failed.size === 0) return;
    this._unretrieved = new Set();
    for (const ref of failed) {
      const fut = ref.deref();
      if (fut !== undefined) (fut as Future)._reportUnretrieved();
    }
  }

  #readyEmpty(): boolean {
    return this.#head === this.#readyFn.length;
  }

  #timerDue(): boolean {
    const top = this.#timers.peek();
    return top !== undefined && top._when <= this.time() + CLOCK_RESOLUTION;
  }

  #wake(): void {
    if (!this.#signalled) {
      this.#signalled = true;
      this.#wakeup.signal();
    }
  }

  /**
   * Wait for I/O or a wake-up on Deno's thread pool, so host work (async
   * functions, host promises) can run meanwhile. A virtual loop with nothing
   * outside to wait for jumps to its next timer instead.
   */
  async #waitHost(): Promise<void> {
    const timeout = this.#timeout();
    if (this.#virtual && this.#hostWork === 0 && this.#ioCount === 0) {
      this.#jumpToNextTimer(timeout);
      return;
    }
    this.#hostWaiting = true;
    const t0 = performance.now();
    let events: SelectResult<IoHandles | null>;
    try {
      // Never an unbounded wait on the pool: a pooled epoll_wait(-1) left
      // pending when the process exits can hang Deno's shutdown.
      events = await this.#selector.selectAsync(
        timeout === null ? MAX_POOLED_WAIT : Math.min(timeout, MAX_POOLED_WAIT),
      );
    } finally {
      this.#hostWaiting = false;
    }
    if (this.#virtual) this.#vtime += (performance.now() - t0) / 1000;
    this.#processEvents(events);
  }

  #jumpToNextTimer(timeout: number | null): void {
    if (timeout === null) {
      throw new Error(
        "Cannot advance virtual time: nothing is scheduled and no fd is watched, the program is deadlocked",
      );
    }
    if (timeout > 0) this.#vtime = this.#timers.peek()!._when;
  }

  /** Seconds until the next timer; 0 if work is ready; null if none. */
  #timeout(): number | null {
    if (!this.#readyEmpty() || this.#stopping) return 0;
    const top = this.#timers.peek();
    if (top === undefined) return null;
    return Math.max(0, top._when - this.time());
  }

  #processEvents(events: SelectResult<IoHandles | null>): void {
    for (let i = 0; i < events.length; i++) {
      const [key, mask] = events[i];
      const io = key.data;
      if (io === null) {
        this.#signalled = false;
        this.#wakeup.drain();
        continue;
      }
      if ((mask & EVENT_READ) !== 0 && io.reader !== null) {
        this.#readyFn.push(io.reader);
        this.#readyArg.push(undefined);
      }
      if ((mask & EVENT_WRITE) !== 0 && io.writer !== null) {
        this.#readyFn.push(io.writer);
        this.#readyArg.push(undefined);
      }
    }
  }

  /** One iteration. `mayBlock`: wait in the selector if nothing is ready. */
  #runOnce(mayBlock: boolean): void {
    const timers = this.#timers;
    // Drop cancelled timers from the top; compact when they dominate.
    if (
      this.#timerCancelled > MIN_HEAP_FOR_COMPACTION &&
      this.#timerCancelled * 2 > timers.size
    ) {
      timers.filter((h) => {
        if (!h._cancelled) return true;
        h._scheduled = false;
        return false;
      });
      this.#timerCancelled = 0;
    } else {
      let top = timers.peek();
      while (top !== undefined && top._cancelled) {
        timers.pop();
        top._scheduled = false;
        this.#timerCancelled--;
        top = timers.peek();
      }
    }

    let timeout = this.#timeout();
    if (!mayBlock) timeout = 0;
    if (
      this.#virtual && this.#ioCount === 0 && this.#hostWork === 0 &&
      this.#asyncTasks === 0
    ) {
      // Nothing outside can wake us: no need to ask the kernel.
      this.#jumpToNextTimer(timeout);
    } else if (
      timeout !== 0 || this.#sincePoll >= POLL_EVERY || this.#readyEmpty()
    ) {
      this.#sincePoll = 0;
      this.#processEvents(this.#selector.select(timeout));
    } else {
      this.#sincePoll++;
    }

    // Timers due now run after the callbacks already ready, in deadline
    // order (as asyncio appends them to its ready queue). They run straight
    // from the heap: copying thousands of due handles through the ready
    // queue first costs more than running them. Timers scheduled during
    // this iteration wait for the next one, even if already due.
    const timersDue = timers.size > 0 &&
      timers.peekWhen() <= this.time() + CLOCK_RESOLUTION;
    const dueBy = timersDue ? this.time() + CLOCK_RESOLUTION : 0;
    const seqLimit = this.#timerSeq;

    // Run exactly what was ready when the iteration began.
    const fns = this.#readyFn;
    const args = this.#readyArg;
    const end = fns.length;
    const debug = this.#debug;
    for (let i = this.#head; i < end; i++) {
      const fn = fns[i];
      const arg = args[i];
      fns[i] = undefined;
      args[i] = undefined;
      this.#head = i + 1;
      if (fn instanceof Handle) {
        if (fn._cancelled) continue;
        try {
          if (debug) this.#runTimed(fn);
          else fn._run();
        } catch (err) {
          this.callExceptionHandler(fn._errorContext(err));
        }
      } else {
        try {
          (fn as (a: unknown) => void)(arg);
        } catch (err) {
          this.callExceptionHandler({
            message: `Exception in callback ${
              (fn as { name?: string }).name || "<internal>"
            }()`,
            exception: err,
          });
        }
      }
    }
    if (this.#head === fns.length) {
      fns.length = 0;
      args.length = 0;
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > fns.length) {
      fns.splice(0, this.#head);
      args.splice(0, this.#head);
      this.#head = 0;
    }

    if (timersDue) {
      while (timers.peekWhen() <= dueBy) {
        const top = timers.peek()!;
        if (top._seq >= seqLimit) break;
        timers.pop();
        top._scheduled = false;
        if (top._cancelled) {
          this.#timerCancelled--;
          continue;
        }
        try {
          if (debug) this.#runTimed(top);
          else top._run();
        } catch (err) {
          this.callExceptionHandler(top._errorContext(err));
        }
      }
    }
  }

  #runTimed(h: Handle): void {
    const t0 = performance.now();
    try {
      h._run();
    } finally {
      const dt = (performance.now() - t0) / 1000;
      if (dt >= this.slowCallbackDuration) {
        console.warn(
          `Executing ${h} took ${dt.toFixed(3)} seconds${
            h._source ? `\nscheduled at:\n${h._source}` : ""
          }`,
        );
      }
    }
  }
}
