/**
 * A binary min-heap of timer handles ordered by deadline, then by scheduling
 * order, so timers with equal deadlines fire in the order they were set.
 *
 * Deadlines and sequence numbers live in typed arrays beside the handles:
 * sifting compares numbers in contiguous memory instead of chasing a
 * pointer per comparison (with 200,000 timers that is most of the cost).
 *
 * @module
 */

import type { TimerHandle } from "./handles.ts";

/** The loop's timer heap. @internal */
export class TimerHeap {
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
    const w = h._when, s = h._seq;
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
