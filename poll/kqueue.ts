/**
 * `KqueueSelector`: kqueue(2) on macOS and FreeBSD. Written and type-checked
 * everywhere; tested where it runs (its tests are ignored on Linux).
 *
 * @module
 */

import { errno, libc, need, os } from "./_libc.ts";
import { fromErrno } from "./errors.ts";
import { BaseSelector } from "./_base.ts";
import { check, waitRetry } from "./_syscall.ts";
import { EVENT_READ, EVENT_WRITE, type SelectResult } from "./types.ts";

// <sys/event.h>, the same on macOS and FreeBSD.
const EVFILT_READ = -1;
const EVFILT_WRITE = -2;
const EV_ADD = 0x0001;
const EV_DELETE = 0x0002;
// A returned event with EV_EOF (0x8000: peer hung up) or EV_ERROR (0x4000)
// still carries its filter; we report it as ready for that filter, as
// Python does, so the owner's next read/write meets the EOF or the error.

// struct kevent, 64-bit (<sys/event.h>):
//   uintptr_t ident   @0  (8)   the fd
//   int16_t   filter  @8  (2)
//   uint16_t  flags   @10 (2)
//   uint32_t  fflags  @12 (4)
//   intptr_t  data    @16 (8)
//   void     *udata   @24 (8)   = 32 bytes on macOS;
//   uint64_t  ext[4]  @32 (32)  FreeBSD 12+ only: 64 bytes there.
// NetBSD and OpenBSD differ (NetBSD's filter is a uint32 starting at 0):
// not supported, DefaultSelector uses poll there.
const KEVENT_SIZE = os === "darwin" ? 32 : os === "freebsd" ? 64 : 0;

/**
 * A selector on kqueue (Python's `selectors.KqueueSelector`), on macOS and
 * FreeBSD. Each of read and write is a separate kernel filter, so a fd
 * watched for both costs two entries.
 *
 * @typeParam T The per-fd data type.
 *
 * @example Where kqueue exists
 * ```ts
 * import { close, EVENT_READ, KqueueSelector, pipe, write } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * if (Deno.build.os === "darwin" || Deno.build.os === "freebsd") {
 *   using sel = new KqueueSelector();
 *   const [r, w] = pipe();
 *   sel.register(r, EVENT_READ);
 *   write(w, new Uint8Array([1]));
 *   assert.equal(sel.select(1)[0][1], EVENT_READ);
 *   close(r);
 *   close(w);
 * }
 * ```
 */
export class KqueueSelector<T = unknown> extends BaseSelector<T> {
  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected override _readyFd(): number {
    return this.#kq;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected readonly _name = "kqueue";
  readonly #kq: number;
  // One change entry, viewed as 32-bit words (ident low half at 0, high at
  // 1) and 16-bit halves (filter at 4, flags at 5).
  readonly #change = new Int32Array(KEVENT_SIZE / 4 || 1);
  readonly #change16 = new Int16Array(this.#change.buffer);
  #cap = 64;
  #events = new Int32Array((this.#cap * KEVENT_SIZE) / 4);
  #events16 = new Int16Array(this.#events.buffer);
  // struct timespec { time_t tv_sec; long tv_nsec; }: little-endian 32-bit
  // halves, high halves 0, so no BigInt per wait.
  readonly #ts = new Int32Array(4);
  // fd -> index in the result, to merge the read and write entries of one fd.
  readonly #seen = new Map<number, number>();
  // The wait, built once over a local symbol (V8's fastest FFI call).
  readonly #call: (t: number | null) => number;

  /**
   * Create the kqueue.
   *
   * @throws {Error} where there is no kqueue or its layout is unknown.
   * @throws {OSError} if kqueue() fails (e.g. EMFILE).
   */
  constructor() {
    super();
    const kqueue = need("kqueue", "use DefaultSelector");
    if (KEVENT_SIZE === 0) {
      throw new Error(
        `Cannot create a KqueueSelector: struct kevent on ${os} is not supported, use PollSelector`,
      );
    }
    const kevent = need("kevent", "use DefaultSelector");
    this.#kq = check(kqueue(), "kqueue");
    this._closeOnCollect(this.#kq);
    this.#call = (t) =>
      kevent(this.#kq, null, 0, this.#events, this.#cap, this.#timespec(t));
  }

  /** The kqueue's own fd. */
  fileno(): number {
    return this.#kq;
  }

  /** Apply one change; returns -1 on failure (errno set), else 0. */
  #apply(fd: number, filter: number, flags: number): number {
    this.#change.fill(0);
    this.#change[0] = fd;
    this.#change16[4] = filter;
    this.#change16[5] = flags;
    return libc().kevent!(this.#kq, this.#change, 1, null, 0, null);
  }

  /** Add the filters in `events`; if one fails, remove those added. */
  #addFilters(fd: number, events: number): void {
    if (events & EVENT_READ) {
      check(this.#apply(fd, EVFILT_READ, EV_ADD), "kevent", fd);
    }
    if (events & EVENT_WRITE) {
      if (this.#apply(fd, EVFILT_WRITE, EV_ADD) === -1) {
        // Read errno before the rollback call can overwrite it.
        const err = fromErrno(errno(), "kevent", fd);
        if (events & EVENT_READ) this.#apply(fd, EVFILT_READ, EV_DELETE);
        throw err;
      }
    }
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _add(fd: number, events: number): void {
    this.#addFilters(fd, events);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _modify(fd: number, events: number): void {
    const old = this._keys.get(fd)!.events;
    // Add first, delete after: if an add fails, nothing was removed.
    this.#addFilters(fd, events & ~old);
    this._remove(fd, old & ~events);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _remove(fd: number, events: number): void {
    // The fd may be closed already, which removed its filters: ignore errors.
    if (events & EVENT_READ) this.#apply(fd, EVFILT_READ, EV_DELETE);
    if (events & EVENT_WRITE) this.#apply(fd, EVFILT_WRITE, EV_DELETE);
  }

  #timespec(timeout: number | null): Int32Array | null {
    if (timeout === null) return null;
    const ts = this.#ts;
    const sec = Math.min(Math.floor(timeout), 0x7fffffff);
    ts[0] = sec;
    // Rounded up, so a wait never ends before its deadline.
    ts[2] = Math.min(Math.ceil((timeout - sec) * 1e9), 999_999_999);
    return ts;
  }

  #ensureCapacity(): void {
    // Grown before a wait, never during one: a pooled wait owns the buffer.
    const want = Math.max(this._keys.size * 2, 1);
    if (want > this.#cap) {
      this.#cap = Math.max(want, this.#cap * 2);
      this.#events = new Int32Array((this.#cap * KEVENT_SIZE) / 4);
      this.#events16 = new Int16Array(this.#events.buffer);
    }
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _wait(timeout: number | null): number {
    this.#ensureCapacity();
    return waitRetry(timeout, this.#call, "kevent", this.#kq);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected async _waitAsync(timeout: number | null): Promise<number> {
    this.#ensureCapacity();
    const n = await libc().kevent_async!(
      this.#kq,
      null,
      0,
      this.#events,
      this.#cap,
      this.#timespec(timeout),
    );
    return n < 0 ? -1 : n; // errno stayed on the pool thread
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _collect(n: number, out: SelectResult<T>): void {
    const words = KEVENT_SIZE / 4;
    const ev32 = this.#events;
    const ev16 = this.#events16;
    const seen = this.#seen;
    for (let i = 0; i < n; i++) {
      const fd = ev32[i * words];
      const filter = ev16[i * words * 2 + 4];
      const key = this._keys.get(fd);
      if (key === undefined) continue;
      const ready = key.events &
        (filter === EVFILT_READ
          ? EVENT_READ
          : filter === EVFILT_WRITE
          ? EVENT_WRITE
          : 0);
      if (ready === 0) continue;
      const at = seen.get(fd);
      if (at === undefined) {
        seen.set(fd, out.length);
        out.push([key, ready]);
      } else {
        out[at][1] |= ready;
      }
    }
    seen.clear();
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _close(): void {
    libc().close(this.#kq);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected override _interrupt(): void {
    // On failure the wait ends at its timeout, as before.
    this.#apply(this._interruptFd(), EVFILT_READ, EV_ADD);
  }
}
