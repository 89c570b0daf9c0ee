/**
 * The errors of the queues: `QueueEmpty`, `QueueFull`, `QueueShutDown`
 * (asyncio's names; re-exported by `queues.ts`).
 *
 * @module
 */

/**
 * `getNowait()` on an empty queue.
 *
 * @example
 * ```ts
 * import { Queue, QueueEmpty } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => new Queue().getNowait(), QueueEmpty);
 * ```
 */
export class QueueEmpty extends Error {
  /**
   * Create the error.
   *
   * @param message What happened.
   */
  constructor(message: string = "Cannot get: the queue is empty") {
    super(message);
    this.name = "QueueEmpty";
  }
}

/**
 * `putNowait()` on a full queue.
 *
 * @example
 * ```ts
 * import { Queue, QueueFull } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const q = new Queue<number>(1);
 * q.putNowait(1);
 * assert.throws(() => q.putNowait(2), QueueFull);
 * ```
 */
export class QueueFull extends Error {
  /**
   * Create the error.
   *
   * @param message What happened.
   */
  constructor(message: string = "Cannot put: the queue is full") {
    super(message);
    this.name = "QueueFull";
  }
}

/**
 * A put on a shut-down queue, or a get on one that is shut down and empty.
 *
 * @example
 * ```ts
 * import { Queue, QueueShutDown } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const q = new Queue<number>();
 * q.shutdown();
 * assert.throws(() => q.putNowait(1), QueueShutDown);
 * ```
 */
export class QueueShutDown extends Error {
  /**
   * Create the error.
   *
   * @param message What happened.
   */
  constructor(message: string = "The queue is shut down") {
    super(message);
    this.name = "QueueShutDown";
  }
}
