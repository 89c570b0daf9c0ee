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
import { _getRunningLoopOrNull, _setRunningLoop } from "../futures/_loop.ts";
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
// ---- net (imports of the delegations to net/)
import * as net from "../net/_loop_methods.ts";
import type {
  AddrInfo,
  AddrInfoHints,
  CreateConnectionOptions,
  CreateDatagramEndpointOptions,
  CreateServerOptions,
  CreateUnixConnectionOptions,
  CreateUnixServerOptions,
  DatagramProtocol,
  DatagramTransport,
  Server,
  Socket,
  SocketAddress,
  StreamProtocol,
  Transport,
} from "../net/_loop_methods.ts";

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
    this.#selector = (options?.selector ??
      new DefaultSelector()) as Selector<IoHandles | null>;
    this.#virtual = options?.clock === "virtual";
    this.#debug = options?.debug ?? false;
    this.#wakeup = new Wakeup();
    this.#selector.register(this.#wakeup.fd, EVENT_READ, null);
  }

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
          String(delay)
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
          String(when)
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

  // ---- net (delegations to net/) ----------------------------------------

  /** asyncio's `loop.create_connection`: see `createConnection()`. */
  createConnection<P extends StreamProtocol>(
    protocolFactory: () => P,
    host?: string | null,
    port?: number | null,
    options?: CreateConnectionOptions,
  ): Future<[Transport, P]> {
    return net.createConnection(this, protocolFactory, host, port, options);
  }

  /** asyncio's `loop.create_server`: see `createServer()`. */
  createServer(
    protocolFactory: () => StreamProtocol,
    host?: string | string[] | null,
    port?: number | null,
    options?: CreateServerOptions,
  ): Future<Server> {
    return net.createServer(this, protocolFactory, host, port, options);
  }

  /** asyncio's `loop.create_unix_connection`: see `createUnixConnection()`. */
  createUnixConnection<P extends StreamProtocol>(
    protocolFactory: () => P,
    path?: string | null,
    options?: CreateUnixConnectionOptions,
  ): Future<[Transport, P]> {
    return net.createUnixConnection(this, protocolFactory, path, options);
  }

  /** asyncio's `loop.create_unix_server`: see `createUnixServer()`. */
  createUnixServer(
    protocolFactory: () => StreamProtocol,
    path?: string | null,
    options?: CreateUnixServerOptions,
  ): Future<Server> {
    return net.createUnixServer(this, protocolFactory, path, options);
  }

  /** asyncio's `loop.connect_accepted_socket`: see `connectAcceptedSocket()`. */
  connectAcceptedSocket<P extends StreamProtocol>(
    protocolFactory: () => P,
    sock: Socket | number,
    options?: { ssl?: unknown },
  ): Future<[Transport, P]> {
    return net.connectAcceptedSocket(this, protocolFactory, sock, options);
  }

  /** asyncio's `loop.create_datagram_endpoint`: see `createDatagramEndpoint()`. */
  createDatagramEndpoint<P extends DatagramProtocol>(
    protocolFactory: () => P,
    options?: CreateDatagramEndpointOptions,
  ): Future<[DatagramTransport, P]> {
    return net.createDatagramEndpoint(this, protocolFactory, options);
  }

  /** Receive at most `nbytes` from a non-blocking socket (asyncio's `sock_recv`). */
  sockRecv(sock: Socket, nbytes: number): Future<Uint8Array> {
    return net.sockRecv(this, sock, nbytes);
  }

  /** Receive into `buf`: the count, 0 at EOF (asyncio's `sock_recv_into`). */
  sockRecvInto(sock: Socket, buf: Uint8Array): Future<number> {
    return net.sockRecvInto(this, sock, buf);
  }

  /** One datagram: `[data, address]` (asyncio's `sock_recvfrom`). */
  sockRecvfrom(
    sock: Socket,
    bufsize: number,
  ): Future<[Uint8Array, SocketAddress]> {
    return net.sockRecvfrom(this, sock, bufsize);
  }

  /** One datagram into `buf`: `[count, address]` (asyncio's `sock_recvfrom_into`). */
  sockRecvfromInto(
    sock: Socket,
    buf: Uint8Array,
    nbytes?: number,
  ): Future<[number, SocketAddress]> {
    return net.sockRecvfromInto(this, sock, buf, nbytes);
  }

  /** Send all of `data` (asyncio's `sock_sendall`). */
  sockSendall(sock: Socket, data: Uint8Array): Future<void> {
    return net.sockSendall(this, sock, data);
  }

  /** Send a datagram to `address` (asyncio's `sock_sendto`). */
  sockSendto(
    sock: Socket,
    data: Uint8Array,
    address: SocketAddress,
  ): Future<number> {
    return net.sockSendto(this, sock, data, address);
  }

  /** Connect `sock` to `address` (asyncio's `sock_connect`). */
  sockConnect(sock: Socket, address: SocketAddress): Future<void> {
    return net.sockConnect(this, sock, address);
  }

  /** Accept a connection: `[socket, address]` (asyncio's `sock_accept`). */
  sockAccept(sock: Socket): Future<[Socket, SocketAddress]> {
    return net.sockAccept(this, sock);
  }

  /** Send a file's bytes with sendfile(2) (asyncio's `sock_sendfile`). */
  sockSendfile(
    sock: Socket,
    file: FileObject,
    offset?: number,
    count?: number | null,
  ): Future<number> {
    return net.sockSendfile(this, sock, file, offset, count);
  }

  /** Resolve a host and port (asyncio's `getaddrinfo`): see `getaddrinfo()`. */
  getaddrinfo(
    host: string | null,
    port: number | string | null,
    hints?: AddrInfoHints,
  ): Future<AddrInfo[]> {
    return net.getaddrinfo(this, host, port, hints);
  }

  /** Host and port text of an address (asyncio's `getnameinfo`). */
  getnameinfo(
    sockaddr: SocketAddress,
    flags?: number,
  ): Future<[string, string]> {
    return net.getnameinfo(this, sockaddr, flags);
  }

  // ---- running ----------------------------------------------------------

  /**
   * Run until `stop()` is called. Returns a Promise (the loop may need to
   * give the JS thread to Deno while it waits).
   *
   * @throws {Error} if the loop is closed, already running, or another loop
   *   is running on this thread.
   */
  async runForever(): Promise<void> {
    this.#checkClosed("run the event loop");
    if (this.#running) {
      throw new Error("Cannot run the event loop: it is already running");
    }
    if (_getRunningLoopOrNull() !== null) {
      throw new Error(
        "Cannot run the event loop: another loop is running on this thread",
      );
    }
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
   * @throws {Error} if the loop stops before it is done; otherwise what the
   *   future throws.
   */
  async runUntilComplete<T>(
    future: Future<T> | CoroutineLike<T> | PromiseLike<T>,
  ): Promise<T> {
    this.#checkClosed("run the event loop");
    if (this.#running) {
      throw new Error("Cannot run the event loop: it is already running");
    }
    const fut = ensureFuture(future, { loop: this });
    const stop = (): void => this.stop();
    fut.addDoneCallback(stop);
    try {
      await this.runForever();
    } finally {
      fut.removeDoneCallback(stop);
    }
    if (!fut.done()) {
      throw new Error("Event loop stopped before Future completed");
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
   * @throws {Error} if the loop is running.
   */
  close(): void {
    if (this.#running) {
      throw new Error("Cannot close a running event loop: stop it first");
    }
    if (this.#closed) return;
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

  /** Report an error: to the handler if set, else `defaultExceptionHandler`. */
  callExceptionHandler(context: ExceptionContext): void {
    if (this.#handler === null) {
      this.defaultExceptionHandler(context);
      return;
    }
    try {
      this.#handler(this, context);
    } catch (err) {
      this.defaultExceptionHandler({
        message: "Unhandled error in exception handler",
        exception: err,
        context,
      });
    }
  }

  /** Log `context` to the console with its message, error and keys. */
  defaultExceptionHandler(context: ExceptionContext): void {
    const lines = [context.message || "Unhandled exception in event loop"];
    for (const [k, v] of Object.entries(context)) {
      if (k === "message" || k === "exception" || v === undefined) continue;
      lines.push(`${k}: ${typeof v === "string" ? v : String(v)}`);
    }
    const err = context.exception;
    if (err !== undefined) {
      lines.push(
        err instanceof Error ? (err.stack ?? String(err)) : String(err),
      );
    }
    console.error(lines.join("\n"));
  }

  /** Whether debug mode is on. */
  getDebug(): boolean {
    return this.#debug;
  }

  /** Turn debug mode on or off (slow callbacks, pending tasks at close). */
  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
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
      throw new Error(`Cannot ${what}: the event loop is closed`);
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
