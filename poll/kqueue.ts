/**
 * `KqueueSelector`: kqueue(2) on macOS and the BSDs. Written and
 * type-checked everywhere; tested where it runs.
 *
 * @module
 */

import { libc } from "./_libc.ts";
import { BaseSelector } from "./_base.ts";
import { check, EINTR, waitRetry } from "./_syscall.ts";
import { errno } from "./_libc.ts";
import { fromErrno } from "./errors.ts";
import { EVENT_READ, EVENT_WRITE, type SelectResult } from "./types.ts";

// <sys/event.h> (macOS, FreeBSD)
const EVFILT_READ = -1;
const EVFILT_WRITE = -2;
const EV_ADD = 0x0001;
const EV_DELETE = 0x0002;
// struct kevent on 64-bit macOS/FreeBSD (<sys/event.h>): uintptr_t ident (8),
// int16_t filter (2), uint16_t flags (2), uint32_t fflags (4),
// intptr_t data (8), void *udata (8) = 32 bytes. FreeBSD 12+ appends
// uint64_t ext[4] (64 bytes in all); we size entries for the larger layout
// there. EV_EOF and EV_ERROR on a returned event count as ready for its
// filter, as in Python.
const KEVENT_SIZE = Deno.build.os === "darwin" ? 32 : 64;

/**
 * A selector on kqueue (Python's `selectors.KqueueSelector`).
 *
 * @typeParam T The per-fd data type.
 *
 * @example
 * ```ts
 * import { KqueueSelector } from "../mod.ts";
 * if (Deno.build.os === "darwin") {
 *   using sel = new KqueueSelector();
 * }
 * ```
 */
export class KqueueSelector<T = unknown> extends BaseSelector<T> {
  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected readonly _name = "kqueue";
  readonly #kq: number;
  readonly #change = new Uint8Array(KEVENT_SIZE * 2);
  readonly #changeView = new DataView(this.#change.buffer);
  #cap = 64;
  #events = new Uint8Array(this.#cap * KEVENT_SIZE);
  // struct timespec { time_t tv_sec; long tv_nsec; }
  readonly #ts = new BigInt64Array(2);

  /** @throws {OSError} if kqueue() fails. */
  constructor() {
    super();
    const { kqueue } = libc();
    if (kqueue === null || kqueue === undefined) {
      throw new Error(
        "Cannot create a KqueueSelector: kqueue is not available on this OS, use DefaultSelector",
      );
    }
    this.#kq = check(kqueue(), "kqueue");
  }

  /** The kqueue's own fd. */
  fileno(): number {
    return this.#kq;
  }

  #apply(fd: number, filter: number, flags: number, strict: boolean): void {
    const v = this.#changeView;
    this.#change.fill(0);
    v.setBigUint64(0, BigInt(fd), true);
    v.setInt16(8, filter, true);
    v.setUint16(10, flags, true);
    const ret = libc().kevent!(this.#kq, this.#change, 1, null, 0, null);
    if (ret === -1 && strict) {
      const e = errno();
      if (e !== EINTR) throw fromErrno(e, "kevent", fd);
    }
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected _add(fd: number, events: number): void {
    if (events & EVENT_READ) this.#apply(fd, EVFILT_READ, EV_ADD, true);
    if (events & EVENT_WRITE) {
      try {
        this.#apply(fd, EVFILT_WRITE, EV_ADD, true);
      } catch (err) {
        if (events & EVENT_READ) this.#apply(fd, EVFILT_READ, EV_DELETE, false);
        throw err;
      }
    }
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected _modify(fd: number, events: number): void {
    const old = this._keys.get(fd)!.events;
    if ((old & EVENT_READ) && !(events & EVENT_READ)) {
      this.#apply(fd, EVFILT_READ, EV_DELETE, false);
    }
    if ((old & EVENT_WRITE) && !(events & EVENT_WRITE)) {
      this.#apply(fd, EVFILT_WRITE, EV_DELETE, false);
    }
    if (!(old & EVENT_READ) && (events & EVENT_READ)) {
      this.#apply(fd, EVFILT_READ, EV_ADD, true);
    }
    if (!(old & EVENT_WRITE) && (events & EVENT_WRITE)) {
      this.#apply(fd, EVFILT_WRITE, EV_ADD, true);
    }
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected _remove(fd: number, events: number): void {
    // The fd may be closed already, which removed its filters: ignore errors.
    if (events & EVENT_READ) this.#apply(fd, EVFILT_READ, EV_DELETE, false);
    if (events & EVENT_WRITE) this.#apply(fd, EVFILT_WRITE, EV_DELETE, false);
  }

  #timespec(timeout: number | null): BigInt64Array | null {
    if (timeout === null) return null;
    const ns = Math.ceil(timeout * 1e9);
    this.#ts[0] = BigInt(Math.floor(ns / 1e9));
    this.#ts[1] = BigInt(ns % 1e9);
    return this.#ts;
  }

  #ensureCapacity(): void {
    const want = Math.max(this._keys.size * 2, 1);
    if (want > this.#cap) {
      this.#cap = Math.max(want, this.#cap * 2);
      this.#events = new Uint8Array(this.#cap * KEVENT_SIZE);
    }
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected _wait(timeout: number | null): number {
    this.#ensureCapacity();
    const { kevent } = libc();
    return waitRetry(
      timeout,
      (t) =>
        kevent!(this.#kq, null, 0, this.#events, this.#cap, this.#timespec(t)),
      "kevent",
      this.#kq,
    );
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
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
    return n < 0 ? this._wait(0) : n;
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected _collect(n: number, out: SelectResult<T>): void {
    const v = new DataView(this.#events.buffer);
    // One fd can come back twice (read and write filters): merge them.
    const merged = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const off = i * KEVENT_SIZE;
      const fd = Number(v.getBigUint64(off, true));
      const filter = v.getInt16(off + 8, true);
      const ev = filter === EVFILT_READ
        ? EVENT_READ
        : filter === EVFILT_WRITE
        ? EVENT_WRITE
        : 0;
      merged.set(fd, (merged.get(fd) ?? 0) | ev);
    }
    for (const [fd, ev] of merged) {
      const key = this._keys.get(fd);
      if (key === undefined) continue;
      const ready = ev & key.events;
      if (ready !== 0) out.push([key, ready]);
    }
  }

  /** Backend hook, see {@linkcode BaseSelector}. @internal */
  protected _close(): void {
    libc().close(this.#kq);
  }
}
