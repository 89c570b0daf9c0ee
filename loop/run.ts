/**
 * `run(main)` and `Runner`: create a loop, run the main coroutine, cancel
 * what remains, close — Python 3.11's `asyncio.run` and `asyncio.Runner`.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { CoroutineLike } from "../futures/task.ts";
import { Task } from "../futures/task.ts";
import { _getRunningLoopOrNull } from "../futures/_loop.ts";
import { EventLoop, type EventLoopOptions } from "./event_loop.ts";

/**
 * Options of {@linkcode run} and {@linkcode Runner}.
 *
 * @example
 * ```ts
 * import { run, type RunOptions, sleep } from "../mod.ts";
 * const opts: RunOptions = { clock: "virtual" };
 * await run(function* () {
 *   yield* sleep(60);
 * }, opts);
 * ```
 */
export type RunOptions = EventLoopOptions;

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
  #options: RunOptions | undefined;
  #loop: EventLoop | null = null;
  #closed = false;

  /**
   * Create a runner; its loop is made on first use.
   *
   * @param options Loop options: selector, clock, debug. */
  constructor(options?: RunOptions) {
    this.#options = options;
  }

  /** The runner's loop, created on first use. */
  getLoop(): EventLoop {
    if (this.#closed) {
      throw new Error("Cannot get the loop: the runner is closed");
    }
    return this.#loop ??= new EventLoop(this.#options);
  }

  /**
   * Run `main` (a coroutine or Future) to completion and return its result.
   *
   * @throws {Error} if called while a loop runs on this thread, or after close.
   */
  async run<T>(main: CoroutineLike<T> | Future<T>): Promise<T> {
    if (_getRunningLoopOrNull() !== null) {
      throw new Error(
        "Cannot call run() while an event loop is running: await the coroutine instead",
      );
    }
    const loop = this.getLoop();
    return await loop.runUntilComplete(main);
  }

  /** Cancel the tasks still pending, let them finish, close the loop. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const loop = this.#loop;
    if (loop === null) return;
    try {
      await cancelAllTasks(loop);
      // exec: as asyncio, end the default executor's threads (300 s cap).
      await loop.runUntilComplete(loop.shutdownDefaultExecutor(300));
    } finally {
      loop.close();
    }
  }

  /** `await using runner = new Runner()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const pending = [...loop._tasks].filter((t): t is Task<unknown> =>
    t instanceof Task && !t.done()
  );
  if (pending.length === 0) return;
  for (const t of pending) t.cancel();
  const all = loop.createFuture<void>();
  let left = pending.length;
  for (const t of pending) {
    t.addDoneCallback(() => {
      if (--left === 0) all.setResult();
    });
  }
  await loop.runUntilComplete(all);
  for (const t of pending) {
    if (!t.cancelled() && t.exception() !== undefined) {
      loop.callExceptionHandler({
        message: "unhandled exception during run() shutdown",
        exception: t.exception(),
        task: t,
      });
    }
  }
}

/**
 * Run the coroutine `main` on a new event loop, cancel what remains, close
 * the loop, and return `main`'s result — `asyncio.run()`. It returns a
 * Promise (a JS reason: the loop may wait on host promises); a program of
 * generator coroutines still runs without yielding to Deno until it ends.
 *
 * @param main A generator function or generator, or an async function.
 * @param options `clock: "virtual"` for tests, `debug: true`, a `selector`.
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
