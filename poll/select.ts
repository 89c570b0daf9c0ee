/**
 * `SelectSelector`: POSIX select(2), the oldest readiness call. It watches
 * only fds below FD_SETSIZE (1024) and scans bitmaps up to the highest fd on
 * every wait. Here for portability and to show why poll and epoll exist.
 *
 * @module
 */

import { libc } from "./_libc.ts";
import { BaseSelector } from "./_base.ts";
import { waitRetry } from "./_syscall.ts";
import { checkOpenFd } from "./fd.ts";
import { EVENT_READ, EVENT_WRITE, type SelectResult } from "./types.ts";

/**
 * The size of an fd_set in bits on Linux, macOS and the BSDs.
 *
 * @example The limit
 * ```ts
 * import { FD_SETSIZE } from "./mod.ts";
 * console.log(FD_SETSIZE); // 1024
 * ```
 */
export const FD_SETSIZE = 1024;
const SET_BYTES = FD_SETSIZE / 8;

/**
 * A selector on select(2) (Python's `selectors.SelectSelector`).
 *
 * @typeParam T The per-fd data type.
 *
 * @example Waiting for a pipe
 * ```ts
 * import { SelectSelector, EVENT_READ, pipe, write, close } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * using sel = new SelectSelector();
 * const [r, w] = pipe();
 * sel.register(r, EVENT_READ);
 * write(w, new Uint8Array([7]));
 * assert.equal(sel.select(1).length, 1);
 * close(r);
 * close(w);
 * ```
 */
export class SelectSelector<T = unknown> extends BaseSelector<T> {
  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected readonly _name = "select";
  // Master sets, and the working copies the kernel overwrites. fd_set is an
  // array of longs with fd n at bit n%64 of long n/64; on little-endian
  // machines that is byte n>>3, bit n&7.
  readonly #readSet = new Uint8Array(SET_BYTES);
  readonly #writeSet = new Uint8Array(SET_BYTES);
  readonly #r = new Uint8Array(SET_BYTES);
  readonly #w = new Uint8Array(SET_BYTES);
  // struct timeval { time_t tv_sec; suseconds_t tv_usec; }: 16 bytes on
  // 64-bit Linux, macOS and FreeBSD (macOS pads a 4-byte tv_usec). Written
  // as little-endian 32-bit halves, high halves 0: no BigInt per wait.
  readonly #tv = new Int32Array(4);
  // The wait, built once over a local symbol (V8's fastest FFI call).
  readonly #call: (t: number | null) => number;
  #maxFd = -1;

  /** Create the selector (no kernel object: select(2) is stateless). */
  constructor() {
    super();
    const { select } = libc();
    this.#call = (t) => {
      // The kernel overwrites the sets it is given: pass copies.
      this.#r.set(this.#readSet);
      this.#w.set(this.#writeSet);
      return select(this.#maxFd + 1, this.#r, this.#w, null, this.#timeval(t));
    };
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected override _check(fd: number): void {
    // Bits past the fd_set would be written outside our buffers.
    if (fd >= FD_SETSIZE) {
      throw new RangeError(
        `Cannot register fd ${fd}: select() supports fds below FD_SETSIZE (${FD_SETSIZE}), use PollSelector or EpollSelector`,
      );
    }
    checkOpenFd(fd, "register");
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _add(fd: number, events: number): void {
    this.#set(fd, events);
    if (fd > this.#maxFd) this.#maxFd = fd;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _modify(fd: number, events: number): void {
    this.#set(fd, events);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _remove(fd: number, _events: number): void {
    this.#set(fd, 0);
    if (fd === this.#maxFd) {
      let m = -1;
      for (const k of this._keys.keys()) if (k > m) m = k;
      this.#maxFd = m;
    }
  }

  #set(fd: number, events: number): void {
    const byte = fd >> 3;
    const bit = 1 << (fd & 7);
    if (events & EVENT_READ) this.#readSet[byte] |= bit;
    else this.#readSet[byte] &= ~bit;
    if (events & EVENT_WRITE) this.#writeSet[byte] |= bit;
    else this.#writeSet[byte] &= ~bit;
  }

  #timeval(timeout: number | null): Int32Array | null {
    if (timeout === null) return null;
    const tv = this.#tv;
    // Rounded up, so a wait never ends before its deadline; capped where
    // 32 bits of seconds end (68 years).
    const us = Math.min(Math.ceil(timeout * 1e6), 0x7fffffff * 1e6);
    tv[0] = Math.floor(us / 1e6);
    tv[2] = us % 1e6;
    return tv;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _wait(timeout: number | null): number {
    return waitRetry(timeout, this.#call, "select");
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected async _waitAsync(timeout: number | null): Promise<number> {
    this.#r.set(this.#readSet);
    this.#w.set(this.#writeSet);
    // close() makes the interrupt fd readable to end this wait at once (one
    // past FD_SETSIZE cannot be watched: then the wait runs to its timeout).
    let maxFd = this.#maxFd;
    const intr = this._interruptFd();
    if (intr < FD_SETSIZE) {
      this.#r[intr >> 3] |= 1 << (intr & 7);
      if (intr > maxFd) maxFd = intr;
    }
    const n = await libc().select_async(
      maxFd + 1,
      this.#r,
      this.#w,
      null,
      this.#timeval(timeout),
    );
    return n < 0 ? -1 : n; // errno stayed on the pool thread
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _collect(_n: number, out: SelectResult<T>): void {
    const r = this.#r;
    const w = this.#w;
    // Hang-ups and errors show as readable/writable in select's sets; the
    // exceptional set means out-of-band data, which we do not watch.
    for (const key of this._keys.values()) {
      const byte = key.fd >> 3;
      const bit = 1 << (key.fd & 7);
      let ready = 0;
      if (r[byte] & bit) ready |= EVENT_READ;
      if (w[byte] & bit) ready |= EVENT_WRITE;
      ready &= key.events;
      if (ready !== 0) out.push([key, ready]);
    }
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _close(): void {
    this.#readSet.fill(0);
    this.#writeSet.fill(0);
  }
}
