/**
 * `PriorityQueue`: a queue that returns the smallest item first, with a
 * comparator (TypeScript has no tuple ordering) and stable order for equal
 * priorities.
 *
 * @module
 */

import { _checkCallable, _checkOptions } from "./_options.ts";
import { Queue, type QueueStore } from "./queues.ts";

/**
 * Orders two items: negative if `a` comes first. The default compares
 * numbers, strings and bigints naturally and arrays element by element
 * (Python's tuple order), so `[priority, item]` pairs work as in Python.
 *
 * @example
 * ```ts
 * import { type Compare, PriorityQueue } from "../mod.ts";
 * const byLength: Compare<string> = (a, b) => a.length - b.length;
 * const q = new PriorityQueue<string>(0, { compare: byLength });
 * q.putNowait("ccc");
 * q.putNowait("a");
 * console.log(q.getNowait()); // a
 * ```
 */
export type Compare<T> = (a: T, b: T) => number;

/**
 * The default order: numbers, strings, bigints naturally; arrays
 * lexicographically, like Python tuples.
 *
 * @throws {TypeError} for values with no natural order (pass `compare`).
 *
 * @example
 * ```ts
 * import { naturalOrder } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.ok(naturalOrder([1, "b"], [1, "c"]) < 0);
 * ```
 */
export function naturalOrder(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = naturalOrder(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const ta = typeof a;
  if (
    ta === typeof b && (ta === "number" || ta === "string" || ta === "bigint")
  ) {
    return (a as number) < (b as number)
      ? -1
      : (a as number) > (b as number)
      ? 1
      : 0;
  }
  throw new TypeError(
    `Cannot order ${ta} and ${typeof b} items: pass a compare function to PriorityQueue`,
  );
}

type Entry<T> = { item: T; seq: number };

// A binary min-heap. Each operation first finds where things go using
// comparisons only, then moves entries, so a comparator that throws
// (unorderable items) leaves the heap exactly as it was.
class HeapStore<T> implements QueueStore<T> {
  readonly #a: Entry<T>[] = [];
  #seq = 0;
  // Items put back by a cancelled getter were older than everything here.
  #backSeq = 0;
  readonly #compare: Compare<T>;
  constructor(compare: Compare<T>) {
    this.#compare = compare;
  }
  get size(): number {
    return this.#a.length;
  }
  #less(x: Entry<T>, y: Entry<T>): boolean {
    const c = this.#compare(x.item, y.item);
    // Equal priorities come out in insertion order.
    return c < 0 || (c === 0 && x.seq < y.seq);
  }
  add(item: T): void {
    this.#insert({ item, seq: this.#seq }, false);
    this.#seq++;
  }
  putBack(item: T): void {
    this.#insert({ item, seq: --this.#backSeq }, true);
  }
  #insert(e: Entry<T>, back: boolean): void {
    const a = this.#a;
    // Sift up: find the slot first.
    let i = a.length;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(e, a[p])) break;
      i = p;
    }
    // The first item meets no other: check that it can be ordered at all,
    // so a bad item is refused at put time rather than at a later put.
    if (!back && a.length === 0) this.#compare(e.item, e.item);
    let k = a.length;
    a.push(e);
    while (k > i) {
      const p = (k - 1) >> 1;
      a[k] = a[p];
      k = p;
    }
    a[i] = e;
  }
  take(): T {
    const a = this.#a;
    const top = a[0];
    const n = a.length - 1;
    if (n === 0) {
      a.pop();
      return top.item;
    }
    const last = a[n];
    // Sift down `last` from the root among a[0 .. n-1]: find its slot.
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#less(a[c + 1], a[c])) c++;
      if (!this.#less(a[c], last)) break;
      i = c;
    }
    // Move each entry on the root-to-slot path up one level.
    a.pop();
    let depth = 0;
    for (let j = i + 1; j > 1; j >>= 1) depth++;
    let parent = 0;
    for (let d = depth - 1; d >= 0; d--) {
      const child = ((i + 1) >> d) - 1;
      a[parent] = a[child];
      parent = child;
    }
    a[i] = last;
    return top.item;
  }
  clear(): void {
    this.#a.length = 0;
  }
}

/**
 * Options of {@linkcode PriorityQueue}.
 *
 * @example
 * ```ts
 * import { PriorityQueue, type PriorityQueueOptions } from "../mod.ts";
 * const opts: PriorityQueueOptions<number> = { compare: (a, b) => b - a };
 * const q = new PriorityQueue<number>(0, opts);
 * q.putNowait(1);
 * q.putNowait(3);
 * console.log(q.getNowait()); // 3
 * ```
 */
export interface PriorityQueueOptions<T> {
  /** The order; default {@linkcode naturalOrder}. */
  compare?: Compare<T>;
}

/**
 * A queue that returns the smallest item first (ties in insertion order).
 *
 * @example `[priority, task]` pairs, as in Python
 * ```ts
 * import { PriorityQueue } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "later"]);
 * q.putNowait([1, "first"]);
 * assert.deepEqual(q.getNowait(), [1, "first"]);
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /**
   * Create a priority queue.
   *
   * @param maxsize Capacity; `<= 0` means unbounded.
   * @param options `compare`: the order.
   * @throws {TypeError} if `compare` is not a function, or for an unknown
   *   option.
   */
  constructor(maxsize: number = 0, options?: PriorityQueueOptions<T>) {
    _checkOptions("create a priority queue", options, ["compare"]);
    const compare = options?.compare ?? naturalOrder;
    if (typeof compare !== "function") {
      _checkCallable("create a priority queue", "compare", compare);
    }
    super(maxsize, new HeapStore<T>(compare));
  }
}
