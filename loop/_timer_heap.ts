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
 * chasing a pointer per comparison. The queue numbers the handles itself,
 * so a handle carries no number of its own: 8 bytes less in each of the
 * 200,000 pending handles a scavenge copies.
 *
 * @module
 */

import type { TimerHandle } from "./handles.ts";
import * as loopKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _when0: typeof loopKeys._when0 = loopKeys._when0;
const _when1: typeof loopKeys._when1 = loopKeys._when1;

// A handle keeps its deadline as the two 32-bit words of the double (see
// handles.ts); the heap copies the words into #when through a view, and
// #pushFar rebuilds the double here, without a call.
const wordsF64 = new Float64Array(1);
const wordsI32 = new Int32Array(wordsF64.buffer);

// Bucket width: 1/1024 s, about a millisecond (the loop's waits are in ms).
// A power of two: scaling a deadline by it is exact.
const BUCKETS_PER_SECOND = 1024;
// Up to this many timers go straight into the heap: a program with a few
// sleeps and timeouts pays nothing for the buckets.
const NEAR_MAX = 256;
// The buckets in TimerHeap's #table: TABLE_SIZE from TABLE_OFFSET before
// the base.
const TABLE_SIZE = 4 * BUCKETS_PER_SECOND;
const TABLE_OFFSET = BUCKETS_PER_SECOND;

/** The loop's timer queue (see the module doc). @internal */
export class TimerHeap {
  // Numbers are passed between these methods as indices into the arrays,
  // not as arguments: a double argument of a call that is not inlined is
  // boxed, an allocation per timer.

  // The heap: handles, their deadlines and numbers, in heap order.
  #items: (TimerHandle | undefined)[] = [];
  #when = new Float64Array(64);
  #when32 = new Int32Array(this.#when.buffer);
  #seq = new Float64Array(64);
  #size = 0;
  // Numbers order equal deadlines. A handle is numbered as it enters the
  // heap, so a bucketed one is numbered late; that keeps the order because
  // a handle joins the bucket of its deadline while that bucket exists
  // (see push), and a bucket enters the heap in the order it was filled.
  #nextSeq = 0;
  // Bucketed timers: bucket index -> handles in the order they were
  // pushed, and a min-heap of the indices. An index counts buckets from
  // #base, a time set while no timer is bucketed, so indices stay small
  // integers however long the clock has run.
  // Buckets -1 s to +3 s from #base are found by index in #table (made at
  // the first bucketed timer), the others in #far: a Map lookup for each
  // of 200,000 timers cost ~8 ms of setting them.
  #table: (TimerHandle[] | undefined)[] | null = null;
  #far = new Map<number, TimerHandle[]>();
  #farKeys: number[] = [];
  #farSize = 0;
  #base = 0;
  // While held, pushed handles wait here (see hold()).
  #held = false;
  #waiting: TimerHandle[] = [];

  /** How many handles are queued (cancelled ones included). */
  get size(): number {
    return this.#size + this.#farSize + this.#waiting.length;
  }

  /** The earliest handle, or undefined. */
  peek(): TimerHandle | undefined {
    if (this.#farSize > 0) this.#settle();
    return this.#size > 0 ? this.#items[0] : undefined;
  }

  /** The earliest deadline, or Infinity. */
  peekWhen(): number {
    if (this.#farSize > 0) this.#settle();
    return this.#size > 0 ? this.#when[0] : Infinity;
  }

  /** Add a handle, due at its deadline. */
  push(h: TimerHandle): void {
    if (this.#held) this.#waiting.push(h);
    else if (this.#farSize === 0 && this.#size < NEAR_MAX) this.#heapPush(h);
    else this.#pushFar(h);
  }

  /**
   * Keep handles pushed from now on out of the queue (they wait, counted in
   * `size`) until `release()`: the loop runs the timers due when an
   * iteration began, not those set by its callbacks.
   */
  hold(): void {
    this.#held = true;
  }

  /** Queue the handles pushed since `hold()`, in the order they came. */
  release(): void {
    this.#held = false;
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    for (let i = 0; i < waiting.length; i++) this.push(waiting[i]);
  }

  /** Remove and return the earliest handle. */
  pop(): TimerHandle | undefined {
    if (this.#farSize > 0) this.#settle();
    return this.#heapPop();
  }

  /** Remove and return the earliest handle if it is due by `dueBy`. */
  popDue(dueBy: number): TimerHandle | undefined {
    if (this.#farSize > 0) this.#settle();
    return this.#size > 0 && this.#when[0] <= dueBy
      ? this.#heapPop()
      : undefined;
  }

  /** Keep only the handles `keep` accepts. */
  filter(keep: (h: TimerHandle) => boolean): void {
    const items = this.#items, when = this.#when, seq = this.#seq;
    const n = this.#size;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const h = items[i]!;
      if (!keep(h)) continue;
      items[kept] = h;
      when[kept] = when[i];
      seq[kept] = seq[i];
      kept++;
    }
    for (let i = kept; i < n; i++) items[i] = undefined;
    this.#size = kept;
    // What is left is no heap: sift every parent down (Floyd).
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.#siftDown(i, i);
    const keys = this.#farKeys;
    this.#farKeys = [];
    for (const b of keys) {
      const bucket = this.#bucket(b)!;
      const keptBucket = bucket.filter(keep);
      this.#farSize -= bucket.length - keptBucket.length;
      this.#setBucket(b, keptBucket.length > 0 ? keptBucket : undefined);
      if (keptBucket.length > 0) pushKey(this.#farKeys, b);
    }
    this.#waiting = this.#waiting.filter(keep);
  }

  /** Remove every handle. */
  clear(): void {
    this.#items = [];
    this.#when = new Float64Array(64);
    this.#when32 = new Int32Array(this.#when.buffer);
    this.#seq = new Float64Array(64);
    this.#size = 0;
    this.#table = null;
    this.#far = new Map();
    this.#farKeys = [];
    this.#farSize = 0;
    this.#waiting = [];
  }

  #heapPush(h: TimerHandle): void {
    if (this.#size === this.#when.length) this.#growHeap();
    const i = this.#size++;
    this.#items[i] = h;
    this.#when32[2 * i] = h[_when0];
    this.#when32[2 * i + 1] = h[_when1];
    this.#seq[i] = this.#nextSeq++;
    this.#siftUp(i);
  }

  #heapPop(): TimerHandle | undefined {
    if (this.#size === 0) return undefined;
    const items = this.#items;
    const top = items[0];
    const last = --this.#size;
    if (last > 0) this.#siftDown(last, 0);
    items[last] = undefined;
    return top;
  }

  /** Sift the entry at index `i` up. */
  #siftUp(i: number): void {
    const items = this.#items, when = this.#when, seq = this.#seq;
    const h = items[i], w = when[i], s = seq[i];
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

  /** Sift the entry at index `from` down from index `i`. */
  #siftDown(from: number, i: number): void {
    const items = this.#items, when = this.#when, seq = this.#seq;
    const h = items[from], w = when[from], s = seq[from];
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

  #growHeap(): void {
    const n = this.#when.length * 2;
    const when = new Float64Array(n);
    when.set(this.#when);
    const seq = new Float64Array(n);
    seq.set(this.#seq);
    this.#when = when;
    this.#when32 = new Int32Array(when.buffer);
    this.#seq = seq;
  }

  #pushFar(h: TimerHandle): void {
    wordsI32[0] = h[_when0];
    wordsI32[1] = h[_when1];
    const w = wordsF64[0];
    // (A deadline of -Infinity would make every index NaN.)
    if (this.#farSize === 0) this.#base = w > -Infinity ? w : 0;
    const b = Math.floor((w - this.#base) * BUCKETS_PER_SECOND);
    const bucket = this.#bucket(b);
    if (bucket !== undefined) bucket.push(h);
    else if (this.#size < NEAR_MAX) {
      // No bucket to join: the heap has room.
      this.#heapPush(h);
      return;
    } else {
      this.#setBucket(b, [h]);
      pushKey(this.#farKeys, b);
    }
    this.#farSize++;
  }

  #bucket(b: number): TimerHandle[] | undefined {
    const j = b + TABLE_OFFSET;
    if (j >= 0 && j < TABLE_SIZE) {
      return this.#table === null ? undefined : this.#table[j];
    }
    return this.#far.get(b);
  }

  /** Set bucket `b` (undefined: remove it). */
  #setBucket(b: number, bucket: TimerHandle[] | undefined): void {
    const j = b + TABLE_OFFSET;
    if (j >= 0 && j < TABLE_SIZE) {
      (this.#table ??= new Array(TABLE_SIZE))[j] = bucket;
    } else if (bucket !== undefined) this.#far.set(b, bucket);
    else this.#far.delete(b);
  }

  /**
   * Pull buckets into the heap until its top is earlier than every bucketed
   * timer: a top in an earlier bucket than the first one is (the bucket of
   * a deadline never decreases as the deadline grows).
   */
  #settle(): void {
    const keys = this.#farKeys;
    while (keys.length > 0) {
      if (
        this.#size > 0 &&
        Math.floor((this.#when[0] - this.#base) * BUCKETS_PER_SECOND) <
          keys[0]
      ) return;
      const b = popKey(keys);
      const bucket = this.#bucket(b)!;
      this.#setBucket(b, undefined);
      this.#farSize -= bucket.length;
      for (let i = 0; i < bucket.length; i++) this.#heapPush(bucket[i]);
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
