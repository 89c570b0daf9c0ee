/**
 * `run(main)` and `Runner`: create a loop, run the main coroutine, cancel
 * what remains, close — Python 3.11's `asyncio.run` and `asyncio.Runner`.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import type { CoroutineLike } from "../futures/task.ts";
import { Task } from "../futures/task.ts";
import { _getRunningLoopOrNull } from "../futures/_loop.ts";
import { RuntimeError } from "../futures/errors.ts";
import { EventLoop, type EventLoopOptions } from "./event_loop.ts";
import { ensureFuture } from "../futures/ensure_future.ts";
import { cancelOnSigint, removeAllSignalHandlers } from "./_signals.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _tasks: typeof futureKeys._tasks = futureKeys._tasks;

/**
 * Options of {@linkcode run} and {@linkcode Runner}: the loop's options,
 * and how long closing waits for the tasks it cancelled.
 *
 * @example
 * ```ts
 * import { run, type RunOptions, sleep } from "../mod.ts";
 * const opts: RunOptions = { clock: "virtual", shutdownTimeout: 0.5 };
 * await run(function* () {
 *   yield* sleep(60);
 * }, opts);
 * ```
 */
export interface RunOptions extends EventLoopOptions {
  /**
   * Seconds of real time that closing waits for the tasks still pending
   * after it cancelled them; default 1. A task that has not finished by
   * then (an async function awaiting a host promise that never settles,
   * say) is reported to the loop's exception handler with where it was
   * suspended, and left behind: `run()` still returns `main`'s outcome.
   * (asyncio waits forever; a JS host promise cannot be interrupted.)
   */
  shutdownTimeout?: number;
}

const DEFAULT_SHUTDOWN_TIMEOUT = 1;

/**
 * Runs coroutines on one loop it owns, then cleans up: `close()` cancels the
 * tasks still pending, waits for them, and closes the loop.
 *
 * @example Two runs on one loop
 * ```ts
 * import { Runner, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using runner = new Runner({ clock: "virtual" });
 * assert.equal(await runner.run(function* () {
 *   yield* sleep(1);
 *   return 1;
 * }), 1);
 * assert.equal(await runner.run(async () => 2), 2);
 * ```
 */
export class Runner implements AsyncDisposable {
  #options: EventLoopOptions | undefined;
  #shutdownTimeout: number;
  #loop: EventLoop | null = null;
  #closed = false;

  /**
   * Create a runner; its loop is made on first use.
   *
   * @param options Loop options (selector, clock, debug, hostDelay) and
   *   `shutdownTimeout`.
   * @throws {RangeError} for a `shutdownTimeout` that is not 0 or more seconds.
   */
  constructor(options?: RunOptions) {
    const { shutdownTimeout, ...loopOptions } = options ?? {};
    this.#shutdownTimeout = checkShutdownTimeout(shutdownTimeout);
    this.#options = options === undefined ? undefined : loopOptions;
  }

  /** The runner's loop, created on first use. */
  getLoop(): EventLoop {
    if (this.#closed) {
      throw new RuntimeError(
        "Cannot get the loop: the runner is closed, create a new Runner",
      );
    }
    return this.#loop ??= new EventLoop(this.#options);
  }

  /**
   * Run `main` (a coroutine or Future) to completion and return its result.
   *
   * @throws {RuntimeError} if called while a loop runs on this thread, or
   *   after close.
   */
  async run<T>(main: CoroutineLike<T> | Future<T>): Promise<T> {
    if (_getRunningLoopOrNull() !== null) {
      throw new RuntimeError(
        "Cannot call run() while an event loop is running: await the coroutine instead",
      );
    }
    if (
      !(main instanceof Future) &&
      typeof (main as { then?: unknown } | null)?.then === "function"
    ) {
      // asyncio.run(main()) ported literally: the async function already
      // runs, outside the loop and outside any task.
      throw new TypeError(
        "Cannot run a Promise: the async function already started outside the loop, pass the function itself: run(main) or run(() => main(x))",
      );
    }
    const loop = this.getLoop();
    // ---- subproc: Ctrl-C cancels the main task (Python 3.11's Runner) ----
    const task = ensureFuture(main, { loop });
    const sigint = task instanceof Task ? cancelOnSigint(loop, task) : null;
    try {
      return await loop.runUntilComplete(task);
    } catch (err) {
      throw sigint === null ? err : sigint.translate(err);
    } finally {
      sigint?.remove();
    }
    // ---- end subproc ----
  }

  /** Cancel the tasks still pending, let them finish, close the loop. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const loop = this.#loop;
    if (loop === null) return;
    try {
      await cancelAllTasks(loop, this.#shutdownTimeout);
      // exec: as asyncio, end the default executor's threads (300 s cap).
      await loop.runUntilComplete(loop.shutdownDefaultExecutor(300));
    } catch (err) {
      // Whatever went wrong while the leftovers wound down must not hide
      // the outcome of what the runner ran (main's error, say).
      loop.callExceptionHandler({
        message: "Error while cancelling the tasks left at shutdown",
        exception: err,
      });
    } finally {
      removeAllSignalHandlers(loop); // subproc: as asyncio's loop.close()
      loop.close();
    }
  }

  /** `await using runner = new Runner()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function cancelAllTasks(
  loop: EventLoop,
  timeoutSeconds: number,
): Promise<void> {
  const pending = [...loop[_tasks]].filter((t): t is Task<unknown> =>
    t instanceof Task && !t.done()
  );
  if (pending.length === 0) return;
  for (const t of pending) t.cancel();
  const all = loop.createFuture<void>();
  const finish = (): void => {
    if (!all.done()) all.setResult();
  };
  let left = pending.length;
  for (const t of pending) {
    t.addDoneCallback(() => {
      if (--left === 0) finish();
    });
  }
  // Real time, on a host timer: a task stuck in a host promise waits in
  // real time whatever the loop's clock (the loop gives the host its turns).
  const timer = setTimeout(
    () => loop.callSoonThreadsafe(finish),
    timeoutSeconds * 1000,
  );
  try {
    await loop.runUntilComplete(all);
  } finally {
    clearTimeout(timer);
  }
  for (const t of pending) {
    if (!t.done()) {
      loop.callExceptionHandler({
        message:
          `Task did not finish within ${timeoutSeconds} s of being cancelled at shutdown, left behind: ${
            whereSuspended(t)
          }`,
        task: t,
      });
    } else if (!t.cancelled() && t.exception() !== undefined) {
      loop.callExceptionHandler({
        message: "unhandled exception during run() shutdown",
        exception: t.exception(),
        task: t,
      });
    }
  }
}

function whereSuspended(t: Task<unknown>): string {
  const waiting = t.waitingOn();
  const stack = t.getStack();
  const at = stack.length > 0 ? `\nsuspended at:\n${stack.join("\n")}` : "";
  if (waiting !== null) return `waiting on ${waiting}${at}`;
  const coro = t.getCoro();
  return typeof coro === "function"
    ? `its async function ${
      coro.name || "<anonymous>"
    }() is awaiting a host promise (give the host API currentTask().signal, or await fromPromise(promise))`
    : `not waiting on a future${at}`;
}

function checkShutdownTimeout(seconds: unknown): number {
  if (seconds === undefined) return DEFAULT_SHUTDOWN_TIMEOUT;
  if (typeof seconds !== "number" || !(seconds >= 0)) {
    throw new RangeError(
      `Cannot create the runner: shutdownTimeout must be 0 or more seconds, got ${
        typeof seconds === "number" ? seconds : typeof seconds
      }`,
    );
  }
  return seconds;
}

/**
 * Run the coroutine `main` on a new event loop, cancel what remains, close
 * the loop, and return `main`'s result — `asyncio.run()`. It returns a
 * Promise (a JS reason: the loop shares the JS thread with Deno's own event
 * loop, which gets a turn at least every `hostDelay` seconds). If `main`
 * fails, that error is what `run()` throws, whatever happens while the
 * remaining tasks are cancelled; a task that does not finish within
 * `shutdownTimeout` of its cancellation is reported and left behind.
 *
 * @param main A generator function or generator, or an async function.
 * @param options `clock: "virtual"` for tests, `debug: true`, a `selector`,
 *   `hostDelay`, `shutdownTimeout`.
 * @returns The result of `main`.
 *
 * @example
 * ```ts
 * import { run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const answer = await run(function* () {
 *   yield* sleep(0.01);
 *   return 42;
 * });
 * assert.equal(answer, 42);
 * ```
 */
export async function run<T>(
  main: CoroutineLike<T>,
  options?: RunOptions,
): Promise<T> {
  const runner = new Runner(options);
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}
