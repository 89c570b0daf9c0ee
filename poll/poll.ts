/**
 * `PollSelector`: POSIX poll(2). No fd limit; each wait passes every watched
 * fd to the kernel, so it costs O(watched fds).
 *
 * @module
 */

import { libc } from "./_libc.ts";
import { BaseSelector, toMillis } from "./_base.ts";
import { waitRetry } from "./_syscall.ts";
import { checkOpenFd } from "./fd.ts";
import { EVENT_READ, EVENT_WRITE, type SelectResult } from "./types.ts";

// <poll.h>; same values on Linux, macOS and the BSDs.
const POLLIN = 0x001;
const POLLOUT = 0x004;
// POLLERR (0x008), POLLHUP (0x010) and POLLNVAL (0x020, fd not open) are
// reported whether asked for or not (poll(2)); as in Python they count as
// ready for whatever the fd was registered for, so its owner's next call
// meets the EOF or the error (EBADF for POLLNVAL).

/**
 * Kernel readiness -> our events, as Python's selectors: anything but
 * POLLOUT alone (POLLIN, POLLPRI, POLLERR, POLLHUP, POLLNVAL) means "read
 * now", anything but POLLIN alone means "write now"; the call then meets the
 * data, the EOF or the error.
 */
function fromPoll(rev: number): number {
  return ((rev & ~POLLOUT) ? EVENT_READ : 0) |
    ((rev & ~POLLIN) ? EVENT_WRITE : 0);
}

/**
 * A selector on poll(2) (Python's `selectors.PollSelector`).
 *
 * `struct pollfd` is `{ int fd; short events; short revents; }`: 8 bytes,
 * kept in one reused buffer, viewed as Int32 (fd) and Int16 (events).
 *
 * @typeParam T The per-fd data type.
 *
 * @example An empty pipe is writable
 * ```ts
 * import { PollSelector, EVENT_WRITE, pipe, close } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * using sel = new PollSelector();
 * const [r, w] = pipe();
 * sel.register(w, EVENT_WRITE);
 * assert.equal(sel.select(0)[0][1], EVENT_WRITE);
 * close(r);
 * close(w);
 * ```
 */
export class PollSelector<T = unknown> extends BaseSelector<T> {
  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected readonly _name = "poll";
  #cap = 64;
  #bytes = new Uint8Array(this.#cap * 8);
  #i32 = new Int32Array(this.#bytes.buffer);
  #i16 = new Int16Array(this.#bytes.buffer);
  // Registration order = pollfd order; index of each fd in it.
  #fds: number[] = [];
  #index = new Map<number, number>();
  #dirty = true;
  // The wait, built once over a local symbol (V8's fastest FFI call).
  readonly #call: (t: number | null) => number;

  /** Create the selector (no kernel object: poll(2) is stateless). */
  constructor() {
    super();
    const { poll } = libc();
    this.#call = (t) => poll(this.#bytes, this.#fds.length, toMillis(t));
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected override _check(fd: number): void {
    checkOpenFd(fd, "register");
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _add(fd: number, _events: number): void {
    this.#index.set(fd, this.#fds.length);
    this.#fds.push(fd);
    this.#dirty = true;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _modify(_fd: number, _events: number): void {
    this.#dirty = true;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _remove(fd: number, _events: number): void {
    const i = this.#index.get(fd)!;
    const last = this.#fds.pop()!;
    if (last !== fd) {
      this.#fds[i] = last;
      this.#index.set(last, i);
    }
    this.#index.delete(fd);
    this.#dirty = true;
  }

  // Rebuilt only after a change, and only before a wait, so a pooled wait
  // never sees its buffer change under it.
  #sync(): void {
    if (!this.#dirty) return;
    const n = this.#fds.length;
    // One slot more, for the interrupt fd of pooled waits.
    if (n + 1 > this.#cap) {
      this.#cap = Math.max(n, this.#cap * 2);
      this.#bytes = new Uint8Array(this.#cap * 8);
      this.#i32 = new Int32Array(this.#bytes.buffer);
      this.#i16 = new Int16Array(this.#bytes.buffer);
    }
    for (let i = 0; i < n; i++) {
      const fd = this.#fds[i];
      const ev = this._keys.get(fd)!.events;
      this.#i32[i * 2] = fd;
      this.#i16[i * 4 + 2] = ((ev & EVENT_READ) ? POLLIN : 0) |
        ((ev & EVENT_WRITE) ? POLLOUT : 0);
    }
    this.#dirty = false;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _wait(timeout: number | null): number {
    this.#sync();
    const ret = waitRetry(timeout, this.#call, "poll");
    return ret > 0 ? this.#fds.length : 0;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected async _waitAsync(timeout: number | null): Promise<number> {
    this.#sync();
    const n = this.#fds.length;
    // The interrupt fd goes last, past the registered ones: close() makes
    // it readable to end this wait at once.
    this.#i32[n * 2] = this._interruptFd();
    this.#i16[n * 4 + 2] = POLLIN;
    this.#i16[n * 4 + 3] = 0;
    const ret = await libc().poll_async(this.#bytes, n + 1, toMillis(timeout));
    // A failure's errno stayed on the pool thread, and a change made while
    // waiting reorders the pollfds: either way, the base polls once more.
    if (ret < 0 || this.#dirty) return -1;
    return ret > 0 ? n : 0;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _collect(n: number, out: SelectResult<T>): void {
    const i32 = this.#i32;
    const i16 = this.#i16;
    for (let i = 0; i < n; i++) {
      const rev = i16[i * 4 + 3];
      if (rev === 0) continue;
      const key = this._keys.get(i32[i * 2]);
      if (key === undefined) continue;
      const ready = fromPoll(rev) & key.events;
      if (ready !== 0) out.push([key, ready]);
    }
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _close(): void {
    this.#fds = [];
    this.#index.clear();
  }
}
