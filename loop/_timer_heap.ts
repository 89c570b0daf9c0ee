/**
 * The loop's timer queue: timer handles ordered by deadline, then by
 * scheduling order, so timers with equal deadlines fire in the order they
 * were set.
 *
 * Two levels. A binary heap holds up to 256 timers, and the earliest
 * millisecond (1/1024 s) buckets pulled into it; past 256, a new timer waits
 * unsorted in the bucket of its millisecond. Before its top is read, the
 * heap pulls in whole buckets until that top lies in an earlier bucket than
 * every one left, which makes it the earliest timer of all. With 200,000
 * timers set at once, a pop then sifts through a few thousand entries that
 * stay in the CPU cache instead of 200,000 that miss it at every level
 * (500 ns a pop here, most of the cost of firing them); a program with a
 * few sleeps and timeouts never uses the buckets.
 *
 * In the heap, deadlines and sequence numbers live in typed arrays beside
 * the handles: sifting compares numbers in contiguous memory instead of
 * chasing a pointer per comparison.
 *
 * @module
 */

import type { TimerHandle } from "./handles.ts";
import * as loopKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _seq: typeof loopKeys._seq = loopKeys._seq;
const _when: typeof loopKeys._when = loopKeys._when;

/** The binary heap of the earliest timers. */
class NearHeap {
  #items: (TimerHandle | undefined)[] = [];
  #when = new Float64Array(64);
  #seq = new Float64Array(64);
  #size = 0;

  /** How many handles are in the heap (cancelled ones included). */
  get size(): number {
    return this.#size;
  }

  /** The earliest handle, or undefined. */
  peek(): TimerHandle | undefined {
    return this.#size > 0 ? this.#items[0] : undefined;
  }

  /** The earliest deadline, or Infinity. */
  peekWhen(): number {
    return this.#size > 0 ? this.#when[0] : Infinity;
  }

  /** Add a handle. */
  push(h: TimerHandle): void {
    if (this.#size === this.#when.length) this.#grow();
    const items = this.#items, when = this.#when, seq = this.#seq;
    const w = h[_when], s = h[_seq];
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pw = when[p];
      if (pw < w || (pw === w && seq[p] < s)) break;
      items[i] = items[p];
      when[i] = pw;
      seq[i] = seq[p];
      i = p;
    }
    items[i] = h;
    when[i] = w;
    seq[i] = s;
  }

  /** Remove and return the earliest handle. */
  pop(): TimerHandle | undefined {
    if (this.#size === 0) return undefined;
    const items = this.#items;
    const top = items[0];
    const last = --this.#size;
    if (last > 0) {
      this.#siftDown(items[last]!, this.#when[last], this.#seq[last], 0);
    }
    items[last] = undefined;
    return top;
  }

  /** Keep only the handles `keep` accepts, then restore heap order. */
  filter(keep: (h: TimerHandle) => boolean): void {
    const kept: TimerHandle[] = [];
    for (let i = 0; i < this.#size; i++) {
      const h = this.#items[i]!;
      if (keep(h)) kept.push(h);
    }
    this.clear();
    for (const h of kept) this.push(h);
  }

  /** Remove every handle. */
  clear(): void {
    this.#items = [];
    this.#when = new Float64Array(64);
    this.#seq = new Float64Array(64);
    this.#size = 0;
  }

  #siftDown(h: TimerHandle, w: number, s: number, i: number): void {
    const items = this.#items, when = this.#when, seq = this.#seq;
    const n = this.#size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let cw = when[c];
      if (c + 1 < n) {
        const rw = when[c + 1];
        if (rw < cw || (rw === cw && seq[c + 1] < seq[c])) {
          c++;
          cw = rw;
        }
      }
      if (w < cw || (w === cw && s < seq[c])) break;
      items[i] = items[c];
      when[i] = cw;
      seq[i] = seq[c];
      i = c;
    }
    items[i] = h;
    when[i] = w;
    seq[i] = s;
  }

  #grow(): void {
    const n = this.#when.length * 2;
    const when = new Float64Array(n);
    when.set(this.#when);
    const seq = new Float64Array(n);
    seq.set(this.#seq);
    this.#when = when;
    this.#seq = seq;
  }
}

// Bucket width: 1/1024 s, about a millisecond (the loop's waits are in ms).
// A power of two: scaling a deadline by it is exact.
const BUCKETS_PER_SECOND = 1024;
// Up to this many timers go straight into the heap: a program with a few
// sleeps and timeouts pays nothing for the buckets.
const NEAR_MAX = 256;

/** The loop's timer queue (see the module doc). @internal */
export class TimerHeap {
  readonly #near = new NearHeap();
  // Bucketed timers: bucket index -> handles, and a min-heap of the indices.
  #far = new Map<number, TimerHandle[]>();
  #farKeys: number[] = [];
  #farSize = 0;

  /** How many handles are queued (cancelled ones included). */
  get size(): number {
    return this.#near.size + this.#farSize;
  }

  /** The earliest handle, or undefined. */
  peek(): TimerHandle | undefined {
    if (this.#farSize > 0) this.#settle();
    return this.#near.peek();
  }

  /** The earliest deadline, or Infinity. */
  peekWhen(): number {
    if (this.#farSize > 0) this.#settle();
    return this.#near.peekWhen();
  }

  /** Add a handle. */
  push(h: TimerHandle): void {
    if (this.#near.size < NEAR_MAX) {
      this.#near.push(h);
      return;
    }
    const b = Math.floor(h[_when] * BUCKETS_PER_SECOND);
    const bucket = this.#far.get(b);
    if (bucket !== undefined) bucket.push(h);
    else {
      this.#far.set(b, [h]);
      pushKey(this.#farKeys, b);
    }
    this.#farSize++;
  }

  /** Remove and return the earliest handle. */
  pop(): TimerHandle | undefined {
    if (this.#farSize > 0) this.#settle();
    return this.#near.pop();
  }

  /** Keep only the handles `keep` accepts. */
  filter(keep: (h: TimerHandle) => boolean): void {
    this.#near.filter(keep);
    for (const [b, bucket] of this.#far) {
      const kept = bucket.filter(keep);
      this.#farSize -= bucket.length - kept.length;
      if (kept.length > 0) this.#far.set(b, kept);
      else this.#far.delete(b);
    }
    this.#farKeys = [];
    for (const b of this.#far.keys()) pushKey(this.#farKeys, b);
  }

  /** Remove every handle. */
  clear(): void {
    this.#near.clear();
    this.#far = new Map();
    this.#farKeys = [];
    this.#farSize = 0;
  }

  /**
   * Pull buckets into the heap until its top is earlier than every bucketed
   * timer: a top in an earlier bucket than the first one is (deadlines in
   * different buckets compare as their buckets do).
   */
  #settle(): void {
    const keys = this.#farKeys;
    const near = this.#near;
    while (keys.length > 0) {
      if (
        near.size > 0 &&
        Math.floor(near.peekWhen() * BUCKETS_PER_SECOND) < keys[0]
      ) return;
      const b = popKey(keys);
      const bucket = this.#far.get(b)!;
      this.#far.delete(b);
      this.#farSize -= bucket.length;
      for (let i = 0; i < bucket.length; i++) near.push(bucket[i]);
    }
  }
}

function pushKey(keys: number[], b: number): void {
  let i = keys.length;
  keys.push(b);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (keys[p] <= b) break;
    keys[i] = keys[p];
    i = p;
  }
  keys[i] = b;
}

function popKey(keys: number[]): number {
  const top = keys[0];
  const last = keys.pop()!;
  const n = keys.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1] < keys[c]) c++;
      if (last <= keys[c]) break;
      keys[i] = keys[c];
      i = c;
    }
    keys[i] = last;
  }
  return top;
}
