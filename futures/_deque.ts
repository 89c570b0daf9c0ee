/**
 * A ring-buffer deque: O(1) push and shift at both ends, for queues and
 * waiter lists (Array#shift is O(n) on large arrays).
 *
 * @module
 */

/** A double-ended queue. @internal */
export class Deque<T> {
  #buf: (T | undefined)[] = new Array(16);
  #head = 0;
  #size = 0;

  /** Number of items. */
  get length(): number {
    return this.#size;
  }

  /** Add at the back. */
  push(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#size) & (this.#buf.length - 1)] = item;
    this.#size++;
  }

  /** Add at the front. */
  unshift(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#buf.length - 1);
    this.#buf[this.#head] = item;
    this.#size++;
  }

  /** Remove from the front. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#buf.length - 1);
    this.#size--;
    return item;
  }

  /** Remove from the back. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const i = (this.#head + this.#size - 1) & (this.#buf.length - 1);
    const item = this.#buf[i];
    this.#buf[i] = undefined;
    this.#size--;
    return item;
  }

  /** The front item. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buf[this.#head];
  }

  /** Keep only the items for which `keep(item)` is true, in order. */
  retain(keep: (item: T) => boolean): void {
    const buf = this.#buf;
    const mask = buf.length - 1;
    let kept = 0;
    for (let i = 0; i < this.#size; i++) {
      const item = buf[(this.#head + i) & mask] as T;
      if (keep(item)) buf[(this.#head + kept++) & mask] = item;
    }
    for (let i = kept; i < this.#size; i++) {
      buf[(this.#head + i) & mask] = undefined;
    }
    this.#size = kept;
  }

  /** Remove every item. */
  clear(): void {
    this.#buf = new Array(16);
    this.#head = 0;
    this.#size = 0;
  }

  /** Items front to back. */
  *[Symbol.iterator](): Generator<T> {
    for (let i = 0; i < this.#size; i++) {
      yield this.#buf[(this.#head + i) & (this.#buf.length - 1)] as T;
    }
  }

  #grow(): void {
    const old = this.#buf;
    const n = old.length;
    const next: (T | undefined)[] = new Array(n * 2);
    for (let i = 0; i < this.#size; i++) {
      next[i] = old[(this.#head + i) & (n - 1)];
    }
    this.#buf = next;
    this.#head = 0;
  }
}
