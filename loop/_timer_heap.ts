/**
 * A binary min-heap of timer handles ordered by deadline, then by scheduling
 * order, so timers with equal deadlines fire in the order they were set.
 *
 * @module
 */

import type { TimerHandle } from "./handles.ts";

function less(a: TimerHandle, b: TimerHandle): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

/** The loop's timer heap. @internal */
export class TimerHeap {
  /** Heap order in an array: children of i are 2i+1 and 2i+2. */
  readonly items: TimerHandle[] = [];

  /** How many handles are in the heap (cancelled ones included). */
  get size(): number {
    return this.items.length;
  }

  /** The earliest handle, or undefined. */
  peek(): TimerHandle | undefined {
    return this.items[0];
  }

  /** Add a handle. */
  push(h: TimerHandle): void {
    const a = this.items;
    let i = a.length;
    a.push(h);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = h;
  }

  /** Remove and return the earliest handle. */
  pop(): TimerHandle | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.#siftDown(last, 0);
    return top;
  }

  /** Keep only the handles `keep` accepts, then restore heap order. */
  filter(keep: (h: TimerHandle) => boolean): void {
    const a = this.items;
    let n = 0;
    for (let i = 0; i < a.length; i++) if (keep(a[i])) a[n++] = a[i];
    a.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#siftDown(a[i], i);
  }

  /** Remove every handle. */
  clear(): void {
    this.items.length = 0;
  }

  #siftDown(h: TimerHandle, i: number): void {
    const a = this.items;
    const n = a.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(a[c + 1], a[c])) c++;
      if (!less(a[c], h)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = h;
  }
}
