/**
 * `LifoQueue`: a queue that returns the newest item first.
 *
 * @module
 */

import { Queue, type QueueStore } from "./queues.ts";

class LifoStore<T> implements QueueStore<T> {
  readonly #a: T[] = [];
  get size(): number {
    return this.#a.length;
  }
  add(item: T): void {
    this.#a.push(item);
  }
  take(): T {
    return this.#a.pop() as T;
  }
  putBack(item: T): void {
    // A getter only waits on an empty queue, so an item handed to it is
    // older than everything here: it goes to the bottom (rare, O(n)).
    this.#a.unshift(item);
  }
  clear(): void {
    this.#a.length = 0;
  }
}

/**
 * A last-in, first-out queue.
 *
 * @example
 * ```ts
 * import { LifoQueue } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const q = new LifoQueue<number>();
 * q.putNowait(1);
 * q.putNowait(2);
 * assert.equal(q.getNowait(), 2);
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /**
   * Create a LIFO queue.
   *
   * @param maxsize Capacity; `<= 0` means unbounded.
   */
  constructor(maxsize: number = 0) {
    super(maxsize, new LifoStore<T>());
  }
}
