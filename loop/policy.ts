/**
 * Finding and making loops: `getRunningLoop()`, `getEventLoop()`,
 * `setEventLoop()`, `newEventLoop()`, with asyncio's meaning.
 *
 * @module
 */

import { _getRunningLoopOrNull, _setEventLoop } from "../futures/_loop.ts";
import { RuntimeError } from "../futures/errors.ts";
import { EventLoop, type EventLoopOptions } from "./event_loop.ts";

let currentLoop: EventLoop | null = null;

/**
 * The loop running on this thread.
 *
 * @throws {RuntimeError} when no loop is running.
 *
 * @example
 * ```ts
 * import { getRunningLoop, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * await run(function* () {
 *   assert.equal(getRunningLoop().isRunning(), true);
 * });
 * assert.throws(() => getRunningLoop(), /no running event loop/);
 * ```
 */
export function getRunningLoop(): EventLoop {
  const loop = _getRunningLoopOrNull();
  if (loop === null) {
    throw new RuntimeError(
      "Cannot get the running loop: no running event loop, call it from a coroutine or callback run by the loop",
    );
  }
  return loop as EventLoop;
}

/**
 * The running loop if there is one, else the loop set with `setEventLoop()`.
 * As in Python 3.14, no loop is created implicitly.
 *
 * @throws {RuntimeError} when no loop is running and none was set.
 *
 * @example
 * ```ts
 * import { getEventLoop, newEventLoop, setEventLoop } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const loop = newEventLoop();
 * setEventLoop(loop);
 * assert.equal(getEventLoop(), loop);
 * setEventLoop(null);
 * loop.close();
 * ```
 */
export function getEventLoop(): EventLoop {
  const running = _getRunningLoopOrNull();
  if (running !== null) return running as EventLoop;
  if (currentLoop === null || currentLoop.isClosed()) {
    throw new RuntimeError(
      "Cannot get the event loop: none is running or set, create one with newEventLoop() and setEventLoop(), or use run()",
    );
  }
  return currentLoop;
}

/**
 * Set the loop `getEventLoop()` returns when none is running (null clears).
 *
 * @example
 * ```ts
 * import { setEventLoop } from "../mod.ts";
 * setEventLoop(null);
 * ```
 */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop)) {
    throw new TypeError(
      "Cannot set the event loop: expected an EventLoop or null",
    );
  }
  currentLoop = loop;
  // Future() and ensureFuture() outside a running loop use it (3.12+).
  _setEventLoop(loop);
}

/**
 * A new event loop (not running, not set as current).
 *
 * @param options Selector, clock (`"virtual"` for tests), debug.
 *
 * @example
 * ```ts
 * import { newEventLoop } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const loop = newEventLoop();
 * assert.equal(await loop.runUntilComplete(Promise.resolve(3)), 3);
 * loop.close();
 * ```
 */
export function newEventLoop(options?: EventLoopOptions): EventLoop {
  return new EventLoop(options);
}
