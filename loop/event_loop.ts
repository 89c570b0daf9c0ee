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
 * Living inside Deno: the JS thread is shared with Deno's own event loop
 * (host timers, host I/O, signal listeners, Worker messages), and the loop
 * never holds it longer than `hostDelay` (10 ms by default). While callbacks
 * are ready it runs them synchronously and, once `hostDelay` has passed,
 * gives the host one turn with a pooled zero-timeout wait (~17 µs; a
 * `setTimeout(0)` would cost ~2 ms). It waits synchronously only for waits
 * that end within what is left of that interval; longer ones go to
 * `selectAsync` (Deno's thread pool), during which the host runs freely and
 * from which host code that schedules work wakes it through the wake-up fd.
 * While an async-function task runs or a host promise is awaited, it also
 * lets microtasks run between iterations and always waits on the pool.
 *
 * @module
 */

import type { ExceptionContext, LoopLike } from "../futures/_loop.ts";
import {
  _getRunningLoopOrNull,
  _refreshDebug,
  _setRunningLoop,
} from "../futures/_loop.ts";
import { _reportUnretrieved, Future } from "../futures/future.ts";
import { type CoroutineLike, Task, type TaskOptions } from "../futures/task.ts";
import { ensureFuture } from "../futures/ensure_future.ts";
import { TaskList } from "../futures/_task_list.ts";
import { EVENT_READ, EVENT_WRITE } from "../poll/types.ts";
import type { FileObject, Selector, SelectResult } from "../poll/types.ts";
import { DefaultSelector } from "../poll/default.ts";
import { fileno } from "../poll/fileno.ts";
import { monotonic } from "../poll/clock.ts";
import { Wakeup } from "../poll/wakeup.ts";
import { Handle, NO_ARGS, TimerHandle } from "./handles.ts";
import { Handle1 } from "./_handle1.ts";
import { TimerHeap } from "./_timer_heap.ts";
// ---- subproc (imports of the delegations to subprocess/ and _signals.ts)
import { addSignalHandler, removeSignalHandler } from "./_signals.ts";
import * as sub from "../subprocess/_loop_methods.ts";
import type {
  BaseProtocol,
  Protocol,
  ReadTransport,
  SubprocessOptions,
  SubprocessProtocol,
  SubprocessTransport,
  WriteTransport,
} from "../subprocess/_loop_methods.ts";
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
import type { SSLContext } from "../tls/context.ts";
import { startTls, type StartTlsOptions } from "../tls/start_tls.ts";
import { RuntimeError } from "../futures/errors.ts";
import { _describe } from "../futures/_describe.ts";
import { _checkCallable, _checkOptions } from "../futures/_options.ts";
import { _formatContext, lastResortLog } from "./_exception_log.ts";
import { hostTurn, warmHostTurn } from "./_host_turn.ts";
// ---- exec (imports of the delegations to executors/)
import type { Executor } from "../executors/executor.ts";
import type { Work, WorkResult } from "../executors/work.ts";
import {
  runInExecutor,
  setDefaultExecutor,
  shutdownDefaultExecutor,
} from "../executors/run_in_executor.ts";
import * as futureKeys from "../futures/_keys.ts";
import * as loopKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _asyncTaskRef: typeof futureKeys._asyncTaskRef = futureKeys._asyncTaskRef;
const _callSoon1: typeof futureKeys._callSoon1 = futureKeys._callSoon1;
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;
const _tasks: typeof futureKeys._tasks = futureKeys._tasks;
const _callback: typeof loopKeys._callback = loopKeys._callback;
const _errorContext: typeof loopKeys._errorContext = loopKeys._errorContext;
const _executorJobs: typeof loopKeys._executorJobs = loopKeys._executorJobs;
const _owner: typeof loopKeys._owner = loopKeys._owner;
const _run: typeof loopKeys._run = loopKeys._run;
const _source: typeof loopKeys._source = loopKeys._source;
const _timerHandleCancelled: typeof loopKeys._timerHandleCancelled =
  loopKeys._timerHandleCancelled;

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
  /**
   * The longest the loop holds the JS thread before Deno's own event loop
   * (host timers, host I/O, signal listeners, Worker messages) gets a turn,
   * in seconds; default 0.01. Only a single callback (or one iteration's
   * worth of ready callbacks) that runs longer can delay the host more.
   * `Infinity` gives the host no turn while the loop has work or waits on
   * its own fds and timers: the fastest mode, for a program that needs
   * nothing from Deno's event loop until `run()` returns (host promises
   * awaited by tasks still get their turns).
   */
  hostDelay?: number;
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
// Longest single wait on Deno's thread pool (seconds); the loop simply waits
// again after it.
const MAX_POOLED_WAIT = 0.5;
// Microtask turns to wait for async functions to reach their next await
// before falling back to a host wait.
const MICROTASK_SPINS = 6;
// As many, before a virtual loop with host work pending jumps in time.
const VIRTUAL_SPINS = 64;
const DEFAULT_HOST_DELAY = 0.01;
// Reading the clock costs ~35 ns, half an iteration of a sleep(0) loop, so
// the loop reads it only once this many units of work (an iteration, a
// callback, a timer) have run since the last reading; the count is kept in
// a local of #runSync (a field updated every iteration cost 5-10%).
const CLOCK_EVERY = 128;
// A pooled wait shorter than this (seconds) may have returned before the
// JS thread parked, so the host may not have run (see _host_turn.ts).
const MIN_POOLED_TURN = 5e-5;

// Every key of EventLoopOptions: a new option must be added here too, or
// the constructor rejects it as unknown.
const LOOP_OPTIONS = ["selector", "clock", "debug", "hostDelay"] as const;

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
  /**
   * @internal Tasks not done yet: strong references, as asyncio should.
   * @ignore
   */
  readonly [_tasks]: TaskList = new TaskList();

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
  // Host turns: the real time (monotonic seconds) by which the host must get
  // a turn, the work done since the clock was last read, and the pooled wait
  // the synchronous path asks runForever() for: a turn, or a long wait.
  readonly #hostDelay: number;
  #hostDeadline = Infinity;
  #work = 0;
  #hostDue = false;
  #hostWaitLong = false;

  /**
   * Create a loop; it is not running until `runForever()` or `runUntilComplete()`.
   *
   * @param options Selector, clock and debug mode. */
  constructor(options?: EventLoopOptions) {
    // Validate everything first, allocate after: bad options leak no fd.
    checkLoopOptions(options);
    this.#hostDelay = checkHostDelay(options?.hostDelay);
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
    if (this.#debug) h[_source] = new Error().stack;
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

  /**
   * @internal Schedule `fn(arg)` without a Handle (futures and tasks).
   * @ignore
   */
  [_callSoon1]<A>(fn: (arg: A) => void, arg: A): void {
    this.#readyFn.push(fn);
    this.#readyArg.push(arg);
    if (this.#hostWaiting) this.#wake();
  }

  /** Run `callback(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => void,
    ...args: A
  ): TimerHandle;
  callLater(
    delay: number,
    callback: (...args: unknown[]) => void,
  ): TimerHandle {
    // arguments, not a rest parameter: the empty array a rest parameter
    // makes at every call (32 bytes) was a third of the garbage of 200,000
    // callLater() calls, and garbage is what sets how often scavenges copy
    // the pending timers.
    const args = arguments.length > 2
      ? Array.prototype.slice.call(arguments, 2)
      : NO_ARGS;
    if (typeof delay !== "number" || Number.isNaN(delay)) {
      throw new TypeError(
        `Cannot schedule a callback: delay must be a number of seconds, got ${
          _describe(delay)
        }`,
      );
    }
    if (typeof callback !== "function") {
      _checkCallable("schedule a callback", "callback", callback);
    }
    // The handle is made here, not in #schedule: a deadline passed as an
    // argument would be boxed, one more allocation per timer.
    const when = this.time() + delay;
    return this.#schedule(
      new TimerHandle(when, callback, args),
      when === Infinity,
    );
  }

  /** Run `callback(...args)` at loop time `when` (seconds, see `time()`). */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => void,
    ...args: A
  ): TimerHandle;
  callAt(
    when: number,
    callback: (...args: unknown[]) => void,
  ): TimerHandle {
    // arguments, as in callLater().
    const args = arguments.length > 2
      ? Array.prototype.slice.call(arguments, 2)
      : NO_ARGS;
    if (typeof when !== "number" || Number.isNaN(when)) {
      throw new TypeError(
        `Cannot schedule a callback: when must be a loop time in seconds, got ${
          _describe(when)
        }`,
      );
    }
    if (typeof callback !== "function") {
      _checkCallable("schedule a callback", "callback", callback);
    }
    return this.#schedule(
      new TimerHandle(when, callback, args),
      when === Infinity,
    );
  }

  #schedule(h: TimerHandle, never: boolean): TimerHandle {
    this.#checkClosed("schedule a callback");
    if (this.#debug) h[_source] = new Error().stack;
    // An infinite delay is "never" (asyncio): the handle exists, the heap
    // never sees it, and a program waiting only on it is deadlocked.
    if (never) return h;
    h[_owner] = this;
    this.#timers.push(h);
    if (this.#hostWaiting) this.#wake();
    return h;
  }

  /**
   * @internal A timer in the heap was cancelled; compact when they dominate.
   * @ignore
   */
  [_timerHandleCancelled](_h: TimerHandle): void {
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
    const h = args.length === 1
      ? new Handle1(cb, args[0])
      : new Handle(cb, args.length === 0 ? NO_ARGS : args);
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

  // ---- subproc (delegations to subprocess/ and loop/_signals.ts) ----

  /**
   * Run `callback(...args)` on this loop whenever signal `sig` (a number or
   * a name like `"SIGTERM"`) arrives; replaces a previous handler for it.
   * It runs within about `hostDelay` of the signal (the host's listener
   * needs a host turn).
   *
   * @throws {RuntimeError} `sig N cannot be caught` (SIGKILL, SIGSTOP, and
   *   signals the runtime refuses); {TypeError} for a coroutine callback.
   */
  addSignalHandler<A extends unknown[]>(
    sig: number | string,
    callback: (...args: A) => void,
    ...args: A
  ): void {
    addSignalHandler(this, sig, callback, args);
  }

  /** Remove the handler for `sig`; returns whether one was set. */
  removeSignalHandler(sig: number | string): boolean {
    return removeSignalHandler(this, sig);
  }

  /** asyncio's `loop.subprocess_exec`: see `subprocessExec()`. */
  subprocessExec<P extends SubprocessProtocol>(
    protocolFactory: () => P,
    program: string,
    args?: readonly string[],
    options?: SubprocessOptions,
  ): Future<[SubprocessTransport, P]> {
    return sub.subprocessExec(this, protocolFactory, program, args, options);
  }

  /** asyncio's `loop.subprocess_shell`: see `subprocessShell()`. */
  subprocessShell<P extends SubprocessProtocol>(
    protocolFactory: () => P,
    cmd: string,
    options?: SubprocessOptions,
  ): Future<[SubprocessTransport, P]> {
    return sub.subprocessShell(this, protocolFactory, cmd, options);
  }

  /** asyncio's `loop.connect_read_pipe`: see `connectReadPipe()`. */
  connectReadPipe<P extends Protocol>(
    protocolFactory: () => P,
    pipe: FileObject,
  ): Future<[ReadTransport, P]> {
    return sub.connectReadPipe(this, protocolFactory, pipe);
  }

  /** asyncio's `loop.connect_write_pipe`: see `connectWritePipe()`. */
  connectWritePipe<P extends BaseProtocol>(
    protocolFactory: () => P,
    pipe: FileObject,
  ): Future<[WriteTransport, P]> {
    return sub.connectWritePipe(this, protocolFactory, pipe);
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

  // ---- tls (delegations to tls/) ----
  /**
   * Upgrade `transport` to TLS in place (asyncio's `loop.start_tls`); see
   * `startTls()` in tls/start_tls.ts.
   */
  startTls(
    transport: Transport,
    protocol: BaseProtocol,
    sslContext: SSLContext,
    options?: StartTlsOptions,
  ): Future<Transport> {
    return startTls(this, transport, protocol, sslContext, options);
  }

  // ---- executors (delegations to executors/) ----

  /**
   * @internal Executor jobs pending for this loop: they finish in real
   * time, so a virtual clock waits for them instead of jumping (pending
   * thread work is not idle).
   * @ignore
   */
  [_executorJobs] = 0;

  /**
   * Run `work(...args)` in `executor` (null: the default executor, a
   * `ThreadPoolExecutor` made on first use); returns a future on this loop.
   */
  // deno-lint-ignore no-explicit-any
  runInExecutor<F extends (...args: any[]) => any>(
    executor: Executor | null,
    work: Work<F>,
    ...args: Parameters<F>
  ): Future<WorkResult<F>> {
    return runInExecutor(this, executor, work, ...args);
  }

  /** Set the executor `runInExecutor(null, ...)` and `toThread` use. */
  setDefaultExecutor(executor: Executor): void {
    setDefaultExecutor(this, executor);
  }

  /** Shut the default executor down, waiting at most `timeout` seconds. */
  shutdownDefaultExecutor(timeout?: number | null): Future<void> {
    return shutdownDefaultExecutor(this, timeout);
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
    this.#hostDeadline = monotonic() + this.#hostDelay;
    if (this.#hostDelay !== Infinity) warmHostTurn();
    try {
      // As asyncio: at least one iteration, even if stop() came first.
      for (;;) {
        if (this.#hostWork === 0 && this.#syncWithAsyncTasks()) {
          // Pure generator/callback work (or async functions all parked on
          // executor jobs): run and wait synchronously, with a host turn
          // whenever hostDelay has passed or a wait is long.
          this.#runSync();
          if (this.#stopping) break;
          if (this.#hostDue) await this.#hostTurn();
          continue;
        }
        // Async functions resumed by the last iteration run now, up to their
        // next await, as a task step runs to its next await in asyncio.
        for (let i = 0; i < MICROTASK_SPINS && this.#hostWork > 0; i++) {
          await null;
        }
        if (!this.#stopping && this.#readyEmpty() && !this.#timerDue()) {
          if (this.#hostWork === 0 && this.#syncWithAsyncTasks()) continue;
          await this.#waitHost();
        }
        if ((this.#work += this.#runOnce(false)) >= CLOCK_EVERY) {
          this.#work = 0;
          this.#checkHostDue();
        }
        if (this.#stopping) break;
        if (this.#hostDue) await this.#hostTurn();
      }
      // Async functions the last iteration resumed must reach their next
      // await while this loop still runs, not run on outside it.
      for (let i = 0; i < MICROTASK_SPINS && this.#hostWork > 0; i++) {
        await null;
      }
    } finally {
      this.#stopping = false;
      this.#running = false;
      this.#hostDue = false;
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
      for (const t of this[_tasks]) {
        if (t instanceof Task && !t.done()) {
          this.callExceptionHandler({
            message: "Task was destroyed but it is pending",
            task: t,
          });
        }
      }
    }
    _reportUnretrieved(this);
    this.#closed = true;
    this.#readyFn = [];
    this.#readyArg = [];
    this.#head = 0;
    this.#timers.clear();
    this[_tasks].clear();
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

  /**
   * @internal
   * @ignore
   */
  [_hostRef](delta: number): void {
    this.#hostWork += delta;
  }

  /**
   * @internal
   * @ignore
   */
  [_asyncTaskRef](delta: number): void {
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

  #readyEmpty(): boolean {
    return this.#head === this.#readyFn.length;
  }

  #timerDue(): boolean {
    return this.#timers.peekWhen() <= this.time() + CLOCK_RESOLUTION;
  }

  #wake(): void {
    if (!this.#signalled) {
      this.#signalled = true;
      this.#wakeup.signal();
    }
  }

  /**
   * Wait for I/O or a wake-up on Deno's thread pool, so host work (async
   * functions, host promises) can run meanwhile. A virtual loop never waits
   * for wall time while a timer is pending: it polls the fds without
   * waiting and, if that made nothing ready, jumps to the next timer (the
   * host still gets its turns every `hostDelay`).
   */
  async #waitHost(): Promise<void> {
    const timeout = this.#timeout();
    if (this.#virtual && timeout !== null && this[_executorJobs] === 0) {
      // An async function may need many microtask turns (a chain of host
      // awaits, as in assert.rejects) to reach its next await of ours:
      // let it, before time jumps past what it would schedule.
      for (
        let i = 0;
        i < VIRTUAL_SPINS && this.#hostWork > 0 && this.#readyEmpty();
        i++
      ) {
        await null;
      }
      if (!this.#readyEmpty() || this.#stopping) return;
      if (this.#ioCount > 0) {
        this.#processEvents(this.#selector.select(0));
        if (!this.#readyEmpty()) return;
      }
      this.#jumpToNextTimer(timeout);
      return;
    }
    if (this.#virtual && this.#hostWork === 0 && this.#ioCount === 0) {
      this.#jumpToNextTimer(timeout); // throws: deadlocked
    }
    await this.#poolWait(timeout);
  }

  /** The host turn the synchronous path asked for (see `#waitSync`). */
  async #hostTurn(): Promise<void> {
    this.#hostDue = false;
    if (this.#hostWaitLong) {
      this.#hostWaitLong = false;
      await this.#poolWait(this.#timeout());
    } else {
      await hostTurn();
      this.#hostDeadline = monotonic() + this.#hostDelay;
    }
  }

  /**
   * Wait until the next timer (`timeout` seconds, null: none) on Deno's
   * thread pool, the host running meanwhile. Never an unbounded wait on the
   * pool: a pooled epoll_wait(-1) left pending when the process exits can
   * hang Deno's shutdown, so it is cut at MAX_POOLED_WAIT.
   */
  async #poolWait(timeout: number | null): Promise<void> {
    const t0 = monotonic();
    this.#hostWaiting = true;
    let events: SelectResult<IoHandles | null>;
    try {
      events = await this.#selector.selectAsync(
        timeout === null ? MAX_POOLED_WAIT : Math.min(timeout, MAX_POOLED_WAIT),
      );
    } finally {
      this.#hostWaiting = false;
    }
    this.#sincePoll = 0;
    // A wait that returned at once may not have let the host run (see
    // _host_turn.ts): then the host is still owed its turn.
    const t1 = monotonic();
    if (t1 - t0 >= MIN_POOLED_TURN) this.#hostDeadline = t1 + this.#hostDelay;
    this.#processEvents(events);
  }

  /**
   * Nothing is ready: wait synchronously as long as the host can wait for
   * its turn; past that, ask runForever() to wait on the pool (returns
   * false). Waiting here first keeps the fast path for I/O that arrives
   * soon; a loop idle longer than `hostDelay` waits on the pool, where
   * host timers, I/O and signals run at once. A virtual loop polls the fds
   * without waiting and jumps to the next timer; only with fds watched and
   * no timer set does it wait, in real time.
   */
  #waitSync(timeout: number | null): boolean {
    if (this.#virtual && this[_executorJobs] === 0) {
      if (this.#ioCount > 0) {
        this.#sincePoll = 0;
        this.#processEvents(this.#selector.select(0));
        if (!this.#readyEmpty()) return true;
      }
      if (timeout !== null || this.#ioCount === 0) {
        this.#jumpToNextTimer(timeout);
        return true;
      }
    }
    const left = this.#hostDeadline - monotonic();
    this.#sincePoll = 0;
    if ((timeout ?? Infinity) <= left) {
      this.#processEvents(this.#selector.select(timeout));
      return true;
    }
    if (left > 0) {
      this.#processEvents(this.#selector.select(left));
      if (!this.#readyEmpty()) return true;
    }
    this.#hostDue = true;
    this.#hostWaitLong = true;
    return false;
  }

  #jumpToNextTimer(timeout: number | null): void {
    if (timeout === null) {
      throw new Error(
        "Cannot advance virtual time: nothing is scheduled and no fd is watched, the program is deadlocked",
      );
    }
    if (timeout > 0) this.#vtime = this.#timers.peekWhen();
  }

  /** Seconds until the next timer; 0 if work is ready; null if none. */
  #timeout(): number | null {
    if (!this.#readyEmpty() || this.#stopping) return 0;
    const when = this.#timers.peekWhen();
    // (No timer is due at Infinity: those never enter the queue.)
    if (when === Infinity) return null;
    return Math.max(0, when - this.time());
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

  /**
   * Iterations back to back until the loop stops, owes the host a turn, or
   * has async functions to let run. A plain function, not the loop in
   * runForever(): code resumed after an await runs slower than a function
   * V8 optimized on its own, which cost 10-20% on the cheapest workloads.
   * Its test is plain field reads: with async-function tasks alive it
   * returns after each iteration, and runForever() asks
   * `#syncWithAsyncTasks()` whether to come back (the call in this test
   * cost 5% of a sleep(0) switch).
   */
  #runSync(): void {
    let work = 0;
    do {
      work += this.#runOnce(true);
      // Read the clock only every CLOCK_EVERY units of work: it costs half
      // a cheap iteration.
      if (work >= CLOCK_EVERY) {
        work = 0;
        this.#checkHostDue();
      }
    } while (
      !this.#stopping && this.#hostWork === 0 && this.#asyncTasks === 0 &&
      !this.#hostDue
    );
  }

  /**
   * Whether the synchronous path may run while async-function tasks exist
   * (all parked: `#hostWork` counts a running one). Normally not: their
   * program is host-driven, so the loop waits on the pool, where host
   * callbacks run at once. But while executor jobs are pending, the job's
   * thread rings the doorbell fd, which wakes a synchronous wait too; a
   * pooled wait would add a hop through Deno's thread pool to every call
   * (toThread from an async function: ~50 µs a call instead of ~35 µs).
   * Host callbacks still run within hostDelay, as in generator programs.
   */
  #syncWithAsyncTasks(): boolean {
    return this.#asyncTasks === 0 ||
      (this[_executorJobs] > 0 && !this.#virtual);
  }

  /** Owe the host a turn once hostDelay has passed since its last one. */
  #checkHostDue(): void {
    if (monotonic() >= this.#hostDeadline) this.#hostDue = true;
  }

  /**
   * One iteration. `mayBlock`: wait in the selector if nothing is ready.
   * Returns the work done: 1 + the callbacks and timers it ran.
   */
  #runOnce(mayBlock: boolean): number {
    const timers = this.#timers;
    // In case an error escaped the last iteration while it held timers.
    timers.release();
    // Drop cancelled timers from the top; compact when they dominate.
    if (
      this.#timerCancelled > MIN_HEAP_FOR_COMPACTION &&
      this.#timerCancelled * 2 > timers.size
    ) {
      timers.filter((h) => {
        if (h[_callback] !== null) return true;
        h[_owner] = null;
        return false;
      });
      this.#timerCancelled = 0;
    } else {
      let top = timers.peek();
      while (top !== undefined && top[_callback] === null) {
        timers.pop();
        top[_owner] = null;
        this.#timerCancelled--;
        top = timers.peek();
      }
    }

    const timeout = mayBlock ? this.#timeout() : 0;
    if (timeout !== 0) {
      // Nothing is ready (only the synchronous path gets here).
      if (!this.#waitSync(timeout)) return 1;
    } else if (
      this.#virtual && this.#ioCount === 0 && this.#hostWork === 0 &&
      this.#asyncTasks === 0
    ) {
      // Nothing outside can wake us: no need to ask the kernel.
    } else if (this.#sincePoll >= POLL_EVERY || this.#readyEmpty()) {
      this.#sincePoll = 0;
      this.#processEvents(this.#selector.select(0));
    } else {
      this.#sincePoll++;
    }

    // Timers due now run after the callbacks already ready, in deadline
    // order (as asyncio appends them to its ready queue). They run straight
    // from the heap: copying thousands of due handles through the ready
    // queue first costs more than running them. Timers scheduled during
    // this iteration wait for the next one, even if already due: the queue
    // holds them back until the end of the iteration.
    const timersDue = timers.size > 0 &&
      timers.peekWhen() <= this.time() + CLOCK_RESOLUTION;
    const dueBy = timersDue ? this.time() + CLOCK_RESOLUTION : 0;
    timers.hold();

    // Run exactly what was ready when the iteration began.
    const fns = this.#readyFn;
    const args = this.#readyArg;
    const end = fns.length;
    const debug = this.#debug;
    let work = end - this.#head + 1;
    for (let i = this.#head; i < end; i++) {
      const fn = fns[i];
      const arg = args[i];
      fns[i] = undefined;
      args[i] = undefined;
      this.#head = i + 1;
      if (fn instanceof Handle) {
        if (fn[_callback] === null) continue;
        try {
          if (debug) this.#runTimed(fn);
          else fn[_run]();
        } catch (err) {
          this.callExceptionHandler(fn[_errorContext](err));
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

    if (timersDue) work += this.#runTimers(dueBy);
    timers.release();
    return work;
  }

  /**
   * Run the timers due by `dueBy`; returns how many ran. Its own small
   * function: the optimizing compiler takes it in a few milliseconds, where
   * #runOnce took ~70 ms on a busy machine and 200,000 timers had mostly
   * fired, in less optimized code, before it was done.
   */
  #runTimers(dueBy: number): number {
    const timers = this.#timers;
    const debug = this.#debug;
    let ran = 0;
    for (;;) {
      const top = timers.popDue(dueBy);
      if (top === undefined) break;
      top[_owner] = null;
      if (top[_callback] === null) {
        this.#timerCancelled--;
        continue;
      }
      ran++;
      try {
        if (debug) this.#runTimed(top);
        else top[_run]();
      } catch (err) {
        this.callExceptionHandler(top[_errorContext](err));
      }
    }
    return ran;
  }

  #runTimed(h: Handle): void {
    const t0 = performance.now();
    try {
      h[_run]();
    } finally {
      const dt = (performance.now() - t0) / 1000;
      if (dt >= this.slowCallbackDuration) {
        console.warn(
          `Executing ${h} took ${dt.toFixed(3)} seconds${
            h[_source] ? `\nscheduled at:\n${h[_source]}` : ""
          }`,
        );
      }
    }
  }
}

function checkHostDelay(delay: unknown): number {
  if (delay === undefined) return DEFAULT_HOST_DELAY;
  if (typeof delay !== "number") {
    throw new TypeError(
      `Cannot create the event loop: hostDelay must be a number of seconds, got ${typeof delay}`,
    );
  }
  if (!(delay >= 0)) {
    throw new RangeError(
      `Cannot create the event loop: hostDelay must be 0 or more seconds (Infinity for no host turns), got ${delay}`,
    );
  }
  return delay;
}
