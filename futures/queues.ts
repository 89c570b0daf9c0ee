/**
 * Queues with asyncio's semantics: `Queue` (FIFO), `LifoQueue`,
 * `PriorityQueue`, with `join()`/`taskDone()` and Python 3.13's `shutdown()`.
 *
 * Items are handed straight from `put()` to a waiting `get()` (and slots
 * straight from `get()` to a waiting `put()`), so waiters are served in FIFO
 * order. Cancellation never loses an item: a `get()` cancelled after an item
 * was handed to it puts the item back at the front; a `put()` cancelled while
 * it waits inserts nothing.
 *
 * @module
 */

import { _describe } from "./_describe.ts";
import { _inspectAsRepr } from "./_repr.ts";
import { Deque } from "./_deque.ts";
import {
  _op,
  type Awaitable,
  failed,
  lazy,
  LazyOp,
  ready,
  Wait,
  Waiters,
} from "./_wait.ts";
import { QueueEmpty, QueueFull, QueueShutDown } from "./queue_errors.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _start: typeof futureKeys._start = futureKeys._start;
const _startGet: typeof futureKeys._startGet = futureKeys._startGet;
const _startPut: typeof futureKeys._startPut = futureKeys._startPut;

export { QueueEmpty, QueueFull, QueueShutDown };

/**
 * How a queue orders its items: the one thing `Queue`, `LifoQueue` and
 * `PriorityQueue` do differently.
 *
 * @example
 * ```ts
 * import { Queue, type QueueStore } from "../mod.ts";
 * // A store that keeps only distinct items, in order.
 * class Distinct<T> implements QueueStore<T> {
 *   #items: T[] = [];
 *   get size() {
 *     return this.#items.length;
 *   }
 *   add(item: T) {
 *     if (!this.#items.includes(item)) this.#items.push(item);
 *   }
 *   take(): T {
 *     return this.#items.shift()!;
 *   }
 *   putBack(item: T) {
 *     this.#items.unshift(item);
 *   }
 *   clear() {
 *     this.#items = [];
 *   }
 * }
 * const q = new Queue<number>(0, new Distinct<number>());
 * q.putNowait(1);
 * q.putNowait(1);
 * console.log(q.qsize()); // 1
 * ```
 */
export interface QueueStore<T> {
  /** Number of items. */
  readonly size: number;
  /** Add an item. */
  add(item: T): void;
  /** Remove the next item (the store is not empty). */
  take(): T;
  /**
   * Put back an item handed to a getter that was then cancelled. Getters
   * wait only on an empty queue, so it is older than every item stored.
   */
  putBack(item: T): void;
  /** Remove every item. */
  clear(): void;
}

class FifoStore<T> implements QueueStore<T> {
  readonly #d = new Deque<T>();
  get size(): number {
    return this.#d.length;
  }
  add(item: T): void {
    this.#d.push(item);
  }
  take(): T {
    return this.#d.shift() as T;
  }
  putBack(item: T): void {
    this.#d.unshift(item);
  }
  clear(): void {
    this.#d.clear();
  }
}

/**
 * A FIFO queue — asyncio's `Queue`.
 *
 * @typeParam T The item type.
 *
 * @example A producer and a consumer
 * ```ts
 * import { createTask, Queue, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const total = await run(function* () {
 *   const q = new Queue<number>(2);
 *   createTask(function* () {
 *     for (let i = 1; i <= 5; i++) yield* q.put(i);
 *     q.shutdown();
 *   });
 *   let sum = 0;
 *   for (;;) {
 *     try {
 *       sum += yield* q.get();
 *     } catch {
 *       return sum; // QueueShutDown: drained
 *     }
 *   }
 * });
 * assert.equal(total, 15);
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
  readonly #maxsize: number;
  readonly #store: QueueStore<T>;
  readonly #getters = new Waiters<T>(this);
  readonly #putters = new Waiters<void>(this);
  // Slots given to woken putters that have not resumed yet, and items
  // handed to woken getters that have not resumed yet: both still take
  // room, as they would in Python's queue until those tasks run.
  #reserved = 0;
  #handed = 0;
  #unfinished = 0;
  readonly #joiners = new Waiters<void>(this);
  #shutdown = false;
  readonly #gotten = (item: T): T => {
    this.#handed--;
    this.#wakePutter();
    return item;
  };
  readonly #getBack = (item: T): void => this.#returnItem(item);
  readonly #getOp: Awaitable<T> = new GetOp(this);
  readonly #joinOp = lazy((): Awaitable<void> =>
    this.#unfinished === 0
      ? ready(undefined)
      : new Wait<void>(this.#joiners.add("join a queue"), null, null)
  );
  readonly #putterGone = (): void => {
    this.#reserved--;
    this.#wakePutter();
  };

  /**
   * Create a queue.
   *
   * @param maxsize Capacity; `<= 0` (default) means unbounded.
   * @param store The ordering (used by `LifoQueue` and `PriorityQueue`).
   * @throws {TypeError} if `maxsize` is not a number.
   */
  constructor(maxsize: number = 0, store?: QueueStore<T>) {
    // Any number, as asyncio (1.3 holds two items: full at qsize >= 1.3).
    if (typeof maxsize !== "number" || Number.isNaN(maxsize)) {
      throw new TypeError(
        `Cannot create a queue: maxsize must be a number (<= 0 for unbounded), got ${
          _describe(maxsize)
        }`,
      );
    }
    this.#maxsize = maxsize;
    this.#store = store ?? new FifoStore<T>();
  }

  /** The capacity (`<= 0`: unbounded). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** Number of items in the queue. */
  qsize(): number {
    return this.#store.size;
  }

  /** Whether the queue is empty. */
  empty(): boolean {
    return this.#store.size === 0;
  }

  /**
   * Whether the queue is full (never, when unbounded). Slots already given
   * to a woken putter, and items handed to a woken getter, count as taken
   * until those tasks resume.
   */
  full(): boolean {
    return this.#maxsize > 0 &&
      this.#store.size + this.#reserved + this.#handed >= this.#maxsize;
  }

  /**
   * Put `item`, waiting while the queue is full. Waiting putters are served
   * in FIFO order. A `put()` cancelled while it waits inserts nothing.
   * With room, the item is in the queue at once, when called (a JS
   * difference: Python's put does nothing until awaited); without room, the
   * put joins the waiting putters when awaited, so one never awaited (or
   * cancelled before it ran) holds no slot.
   * @throws {QueueShutDown} (when awaited) if the queue is or gets shut down.
   */
  put(item: T): Awaitable<void> {
    if (this.#shutdown) {
      return failed(new QueueShutDown("Cannot put: the queue is shut down"));
    }
    if (!this.full() && !this.#putters.any()) {
      this.#deliver(item);
      return ready(undefined);
    }
    // No room: the waiter joins the line only when awaited, so a put never
    // awaited (or cancelled before it ran) holds no slot.
    return new PutOp(this, item);
  }

  /**
   * @internal A put without room starts (awaited).
   * @ignore
   */
  [_startPut](item: T): Awaitable<void> {
    if (this.#shutdown) {
      return failed(new QueueShutDown("Cannot put: the queue is shut down"));
    }
    if (!this.full() && !this.#putters.any()) {
      this.#deliver(item);
      return ready(undefined);
    }
    const fut = this.#putters.add("put into a queue");
    return new Wait<void>(fut, () => {
      this.#reserved--;
      if (this.#shutdown) {
        // Woken for a slot, but shut down before it resumed (Python 3.13).
        throw new QueueShutDown("Cannot put: the queue is shut down");
      }
      this.#deliver(item);
    }, this.#putterGone);
  }

  /**
   * Put `item` now.
   * @throws {QueueFull} if there is no room; {QueueShutDown} if shut down.
   */
  putNowait(item: T): void {
    if (this.#shutdown) {
      throw new QueueShutDown("Cannot put: the queue is shut down");
    }
    if (this.full()) throw new QueueFull();
    this.#deliver(item);
  }

  /**
   * Remove and return an item, waiting while the queue is empty. Waiting
   * getters are served in FIFO order; an item handed to a getter that is
   * cancelled before it resumes goes back to the front of the queue (or to
   * the next getter), so nothing is lost. Acts when awaited, as a Python
   * coroutine: a `get()` never awaited, or run as a task cancelled before its
   * first step, takes no item and leaves no waiter.
   * @throws {QueueShutDown} (when awaited) if the queue is shut down and
   * empty.
   */
  get(): Awaitable<T> {
    return _op(this.#getOp, "queue.get()");
  }

  /**
   * @internal A get starts (awaited).
   * @ignore
   */
  [_startGet](): Awaitable<T> {
    if (this.#store.size > 0) return ready(this.#take());
    if (this.#shutdown) {
      return failed(
        new QueueShutDown("Cannot get: the queue is shut down and empty"),
      );
    }
    const fut = this.#getters.add("get from a queue");
    return new Wait<T>(fut, this.#gotten, this.#getBack);
  }

  /**
   * Remove and return an item now.
   * @throws {QueueEmpty} if there is none; {QueueShutDown} if shut down and empty.
   */
  getNowait(): T {
    if (this.#store.size > 0) return this.#take();
    if (this.#shutdown) {
      throw new QueueShutDown("Cannot get: the queue is shut down and empty");
    }
    throw new QueueEmpty();
  }

  /**
   * Mark one item gotten earlier as processed (for `join()`).
   * @throws {RangeError} if called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new RangeError(
        "Cannot mark a task done: taskDone() was called more times than items were put",
      );
    }
    if (--this.#unfinished === 0) this.#wakeJoiners();
  }

  /**
   * Wait until every item put has been marked done with `taskDone()`;
   * returns at once when none is unfinished.
   */
  join(): Awaitable<void> {
    return _op(this.#joinOp, "queue.join()");
  }

  /**
   * Shut the queue down (Python 3.13): `put()` now raises `QueueShutDown`,
   * and so does `get()` once the queue is empty; waiting putters and getters
   * get it at once. With `immediate`, the items left are dropped (and count
   * as done for `join()`).
   */
  shutdown(immediate: boolean = false): void {
    this.#shutdown = true;
    if (immediate) {
      const n = this.#store.size;
      this.#store.clear();
      this.#unfinished = Math.max(0, this.#unfinished - n);
      if (this.#unfinished === 0) this.#wakeJoiners();
    }
    this.#getters.failAll(() =>
      new QueueShutDown("Cannot get: the queue is shut down")
    );
    this.#putters.failAll(() =>
      new QueueShutDown("Cannot put: the queue is shut down")
    );
  }

  /** Items until the queue is shut down and drained: `for await (const x of q)`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (err) {
        if (err instanceof QueueShutDown) return;
        throw err;
      }
      yield item;
    }
  }

  /**
   * asyncio-like repr: `<Queue maxsize=10 qsize=3>`, then what is nonzero:
   * `getters:1`, `putters:2`, `tasks=3` (unfinished), `shutdown`.
   */
  toString(): string {
    const g = this.#getters.live();
    const p = this.#putters.live();
    return `<${this.constructor.name} maxsize=${this.#maxsize} qsize=${this.#store.size}${
      g > 0 ? ` getters:${g}` : ""
    }${p > 0 ? ` putters:${p}` : ""}${
      this.#unfinished > 0 ? ` tasks=${this.#unfinished}` : ""
    }${this.#shutdown ? " shutdown" : ""}>`;
  }

  #deliver(item: T): void {
    if (this.#getters.wakeFirst(item)) this.#handed++;
    else this.#store.add(item);
    this.#unfinished++;
  }

  #take(): T {
    const item = this.#store.take();
    this.#wakePutter();
    return item;
  }

  #returnItem(item: T): void {
    // A getter was cancelled after the item was handed to it: the next
    // getter gets it, or it goes back to the front. Its slot stays taken.
    if (!this.#getters.wakeFirst(item)) {
      this.#handed--;
      this.#store.putBack(item);
    }
  }

  #wakePutter(): void {
    if (!this.full() && this.#putters.wakeFirst(undefined)) this.#reserved++;
  }

  #wakeJoiners(): void {
    this.#joiners.wakeAll(undefined);
  }
}

// The queue's operations that start when awaited, as classes of their own
// rather than `lazy()` closures, so the calls stay inlinable.
class GetOp<T> extends LazyOp<T> {
  readonly #q: Queue<T>;
  constructor(q: Queue<T>) {
    super();
    this.#q = q;
  }
  [_start](): Awaitable<T> {
    return this.#q[_startGet]();
  }
}

class PutOp<T> extends LazyOp<void> {
  readonly #q: Queue<T>;
  readonly #item: T;
  constructor(q: Queue<T>, item: T) {
    super();
    this.#q = q;
    this.#item = item;
  }
  [_start](): Awaitable<void> {
    return this.#q[_startPut](this.#item);
  }
}

_inspectAsRepr(Queue);
