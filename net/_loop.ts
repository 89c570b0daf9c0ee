/**
 * The one seam between `net/` and `loop/`: what transports, servers and the
 * socket coroutines need from an event loop. `loop/` implements it; `net/`
 * never imports `loop/`.
 *
 * @module
 */

import type { LoopLike } from "../futures/_loop.ts";
import type { Future } from "../futures/future.ts";
import type { FileObject } from "../poll/types.ts";

/** What `net/` needs from an event loop. @internal */
export interface NetLoop extends LoopLike {
  /** A pending Future on this loop. */
  createFuture<T = unknown>(): Future<T>;
  /** Call `callback(...args)` whenever `fd` is readable. */
  addReader<A extends unknown[]>(
    fd: FileObject,
    callback: (...args: A) => void,
    ...args: A
  ): void;
  /** Stop watching `fd` for reading. */
  removeReader(fd: FileObject): boolean;
  /** Call `callback(...args)` whenever `fd` is writable. */
  addWriter<A extends unknown[]>(
    fd: FileObject,
    callback: (...args: A) => void,
    ...args: A
  ): void;
  /** Stop watching `fd` for writing. */
  removeWriter(fd: FileObject): boolean;
}
