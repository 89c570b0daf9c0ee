/**
 * `WriteBuffer`: the bytes a transport accepted but could not send yet, in
 * one contiguous region, so each flush is one `send`/`write` syscall with no
 * iovec to build. A transport must copy written data anyway (the caller may
 * reuse its buffer), and copying into one region costs less than pinning a
 * pointer per buffer for `sendmsg` (`Deno.UnsafePointer.of` ~0.3 µs each
 * here). Memory is dropped when a large backlog drains, so idle connections
 * stay small.
 *
 * @module
 */

const MIN_CAPACITY = 16 * 1024;
const KEEP_CAPACITY = 64 * 1024;

/**
 * A FIFO of bytes: `push` at the end, `pending()` to send, `consume(n)`
 * after sending `n`.
 * @internal
 */
export class WriteBuffer {
  #buf: Uint8Array | null = null;
  #head = 0;
  #tail = 0;

  /** Bytes waiting. */
  get size(): number {
    return this.#tail - this.#head;
  }

  /** Append a copy of `data`. */
  push(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    let buf = this.#buf;
    if (buf === null || this.#tail + n > buf.length) buf = this.#grow(n);
    buf.set(data, this.#tail);
    this.#tail += n;
  }

  #grow(n: number): Uint8Array {
    const size = this.#tail - this.#head;
    const old = this.#buf;
    if (
      old !== null && size + n <= old.length && this.#head >= old.length / 2
    ) {
      // Enough room once the consumed front is dropped: slide down.
      old.copyWithin(0, this.#head, this.#tail);
      this.#head = 0;
      this.#tail = size;
      return old;
    }
    let cap = old === null ? MIN_CAPACITY : old.length;
    while (cap < size + n) cap *= 2;
    const next = new Uint8Array(cap);
    if (old !== null) next.set(old.subarray(this.#head, this.#tail));
    this.#buf = next;
    this.#head = 0;
    this.#tail = size;
    return next;
  }

  /** The waiting bytes (a view: valid until the next push or consume). */
  pending(): Uint8Array {
    return this.#buf === null
      ? EMPTY
      : this.#buf.subarray(this.#head, this.#tail);
  }

  /** Drop the first `n` waiting bytes (they were sent). */
  consume(n: number): void {
    this.#head += n;
    if (this.#head === this.#tail) this.clear(false);
  }

  /** Drop everything; `release` frees the memory too. */
  clear(release = true): void {
    this.#head = this.#tail = 0;
    if (release || (this.#buf !== null && this.#buf.length > KEEP_CAPACITY)) {
      this.#buf = null;
    }
  }
}

const EMPTY = new Uint8Array(0);
