/**
 * What `subprocess/` needs from an event loop: `net/`'s seam (readers and
 * writers, futures) plus the thread-safe wake-up that host signal listeners
 * use. `subprocess/` never imports `loop/`.
 *
 * @module
 */

import type { HandleLike } from "../futures/_loop.ts";
import type { NetLoop } from "../net/_loop.ts";

/** What `subprocess/` needs from an event loop. @internal */
export interface SubprocessLoop extends NetLoop {
  /** As `callSoon`, safe from host callbacks (wakes the loop). */
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike;
}
