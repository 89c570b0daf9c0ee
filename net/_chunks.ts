/**
 * The byte buffer of a `StreamReader`: the chunks as they arrived, never
 * copied on the way in. Reads that fit in the first chunk return a view of
 * it (no copy); only reads spanning chunks copy. Separator searches walk
 * the chunks in place.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);

/** A FIFO of byte chunks read as one byte sequence. @internal */
export class Chunks {
  // Live chunks are #chunks[#head..]; none is empty.
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Bytes held. */
  length = 0;

  /** Append `chunk` (kept, not copied). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }

  /**
   * The position of the first `sep` starting at or after `from`, or -1.
   * `sep` is not empty.
   */
  indexOf(sep: Uint8Array, from: number): number {
    const cs = this.#chunks;
    const first = sep[0];
    let base = 0;
    for (let i = this.#head; i < cs.length; i++) {
      const c = cs[i];
      const end = base + c.length;
      if (end > from) {
        let j = c.indexOf(first, from > base ? from - base : 0);
        while (j !== -1) {
          if (sep.length === 1 || this.#matchesAt(sep, i, j)) return base + j;
          j = c.indexOf(first, j + 1);
        }
      }
      base = end;
    }
    return -1;
  }

  /** Whether the bytes at position `at` are `sep`. */
  startsWith(sep: Uint8Array, at: number): boolean {
    const cs = this.#chunks;
    let base = 0;
    for (let i = this.#head; i < cs.length; i++) {
      const end = base + cs[i].length;
      if (end > at) {
        return cs[i][at - base] === sep[0] &&
          (sep.length === 1 || this.#matchesAt(sep, i, at - base));
      }
      base = end;
    }
    return false;
  }

  /** Remove and return the first `n` bytes (`0 < n <= length`). */
  take(n: number): Uint8Array {
    const cs = this.#chunks;
    const c = cs[this.#head];
    if (c.length > n) {
      cs[this.#head] = c.subarray(n);
      this.length -= n;
      return c.subarray(0, n);
    }
    if (c.length === n) {
      this.#shift();
      this.length -= n;
      return c;
    }
    const out = new Uint8Array(n);
    this.#copyOut(out, n);
    return out;
  }

  /** Remove and return every byte (one view when there is one chunk). */
  takeAll(): Uint8Array {
    if (this.length === 0) return new Uint8Array(0);
    return this.take(this.length);
  }

  /** Drop the first `n` bytes (`n <= length`). */
  discard(n: number): void {
    if (n > 0) this.#copyOut(null, n);
  }

  /** Drop every byte. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.length = 0;
  }

  // Whether sep[1..] follows the byte at chunk i, offset j (sep[0] matched).
  #matchesAt(sep: Uint8Array, i: number, j: number): boolean {
    const cs = this.#chunks;
    let c = cs[i];
    let p = j + 1;
    for (let k = 1; k < sep.length; k++) {
      while (p >= c.length) {
        if (++i >= cs.length) return false;
        c = cs[i];
        p = 0;
      }
      if (c[p++] !== sep[k]) return false;
    }
    return true;
  }

  // Move the first n bytes into out (or drop them when out is null).
  #copyOut(out: Uint8Array | null, n: number): void {
    const cs = this.#chunks;
    let filled = 0;
    while (filled < n) {
      const c = cs[this.#head];
      const want = n - filled;
      if (c.length <= want) {
        out?.set(c, filled);
        filled += c.length;
        this.#shift();
      } else {
        out?.set(c.subarray(0, want), filled);
        cs[this.#head] = c.subarray(want);
        filled = n;
      }
    }
    this.length -= n;
  }

  #shift(): void {
    const cs = this.#chunks;
    cs[this.#head] = EMPTY; // let the chunk be collected
    if (++this.#head === cs.length) {
      cs.length = 0;
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= cs.length) {
      cs.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
