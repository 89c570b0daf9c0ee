/**
 * The one seam between `futures/` and `loop/`: what a Future or Task needs
 * from an event loop, and which loop is running. `loop/` implements
 * {@linkcode LoopLike}; `futures/` never imports `loop/`.
 *
 * @module
 */

/**
 * Context passed to a loop's exception handler, with asyncio's keys.
 *
 * @example
 * ```ts
 * import { type ExceptionContext, newEventLoop } from "../mod.ts";
 * using loop = newEventLoop();
 * const ctx: ExceptionContext = { message: "something failed", exception: new Error("x") };
 * loop.setExceptionHandler(() => {});
 * loop.callExceptionHandler(ctx);
 * ```
 */
export interface ExceptionContext {
  /** What went wrong, in words. */
  message: string;
  /** The error, if there was one. */
  exception?: unknown;
  /** The future concerned. */
  future?: unknown;
  /** The task concerned. */
  task?: unknown;
  /** The handle whose callback failed. */
  handle?: unknown;
  /** Where the failing callback or object was created (debug mode). */
  sourceTraceback?: string;
  /** Any other key a caller adds. */
  [key: string]: unknown;
}

/**
 * A scheduled callback that can be cancelled.
 *
 * @example
 * ```ts
 * import { type HandleLike, newEventLoop } from "../mod.ts";
 * using loop = newEventLoop();
 * const h: HandleLike = loop.callSoon(() => {});
 * h.cancel();
 * console.log(h.cancelled()); // true
 * ```
 */
export interface HandleLike {
  /** Prevent the callback from running, if it has not run yet. */
  cancel(): void;
  /** Whether `cancel()` was called. */
  cancelled(): boolean;
}

/**
 * What futures, tasks and primitives need from an event loop.
 *
 * @example
 * ```ts
 * import { type LoopLike, newEventLoop } from "../mod.ts";
 * using loop = newEventLoop();
 * const l: LoopLike = loop;
 * console.log(typeof l.time()); // number
 * ```
 */
export interface LoopLike {
  /** Schedule `callback(...args)` for the next iteration; FIFO. */
  callSoon<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike;
  /** Schedule `callback(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike;
  /** Schedule `callback(...args)` at loop time `when` (seconds). */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike;
  /** The loop's monotonic clock, in seconds. */
  time(): number;
  /** Report an error that nobody can catch. */
  callExceptionHandler(context: ExceptionContext): void;
  /** Whether debug mode is on. */
  getDebug(): boolean;
  /** Whether the loop is closed. */
  isClosed(): boolean;
  /**
   * Internal fast path: schedule `fn(arg)` without allocating a Handle.
   * @internal
   * @ignore
   */
  [_callSoon1]<A>(fn: (arg: A) => void, arg: A): void;
  /**
   * Count host-side work (an async-function task, an awaited host promise)
   * that can only progress when the JS thread returns to Deno's event loop.
   * While the count is above zero the loop waits without blocking the thread.
   * @internal
   * @ignore
   */
  [_hostRef](delta: number): void;
  /**
   * Count live async-function tasks. While any lives, the loop never blocks
   * the JS thread in a synchronous wait, since their continuations run there.
   * @internal
   * @ignore
   */
  [_asyncTaskRef](delta: number): void;
  /**
   * Tasks registry: keeps a strong reference while a task runs. @internal
   * @ignore
   */
  [_tasks]: TaskList;
}

import { _debug } from "./_debug.ts";
import { RuntimeError } from "./errors.ts";
import * as futureKeys from "./_keys.ts";
import type { TaskList } from "./_task_list.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _asyncTaskRef: typeof futureKeys._asyncTaskRef = futureKeys._asyncTaskRef;
const _callSoon1: typeof futureKeys._callSoon1 = futureKeys._callSoon1;
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;
const _tasks: typeof futureKeys._tasks = futureKeys._tasks;

let running: LoopLike | null = null;
let set: LoopLike | null = null;

/**
 * Record the loop `setEventLoop()` set (null clears): what `Future()` and
 * `ensureFuture()` use outside a running loop, as Python 3.12+.
 * @internal
 */
export function _setEventLoop(loop: LoopLike | null): void {
  set = loop;
}

/**
 * The running loop, else the loop set with `setEventLoop()` (not closed);
 * throws when there is neither.
 * @internal
 */
export function _defaultLoop(what: string): LoopLike {
  if (running !== null) return running;
  if (set !== null && !set.isClosed()) return set;
  throw new RuntimeError(
    `Cannot ${what}: no running event loop and none set, call it from a coroutine run by run(), or pass { loop }`,
  );
}

/**
 * The loop running on this thread, or null.
 * @internal
 */
export function _getRunningLoopOrNull(): LoopLike | null {
  return running;
}

/**
 * Mark `loop` as the running loop (null to clear); returns the previous one.
 * @internal
 */
export function _setRunningLoop(loop: LoopLike | null): LoopLike | null {
  const prev = running;
  running = loop;
  _refreshDebug();
  return prev;
}

/**
 * Re-read whether the running loop is in debug mode (after `setDebug()`).
 * @internal
 */
export function _refreshDebug(): void {
  _debug.on = running !== null && running.getDebug();
}

/**
 * The running loop; throws when none is running, as asyncio does.
 * @internal
 */
export function _requireLoop(what: string): LoopLike {
  if (running === null) {
    throw new RuntimeError(
      `Cannot ${what}: no running event loop, call it from a coroutine run by run() or loop.runUntilComplete()`,
    );
  }
  return running;
}
