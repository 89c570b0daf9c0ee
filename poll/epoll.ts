/**
 * `EpollSelector`: Linux's epoll. Registration changes are one `epoll_ctl`
 * each (O(1)); a wait costs O(ready fds), whatever the number watched.
 *
 * @module
 */

import { libc, type LibcSymbols, need } from "./_libc.ts";
import { arch } from "./_runtime.ts";
import { BaseSelector, toMillis } from "./_base.ts";
import { check, waitRetry } from "./_syscall.ts";
import { EVENT_READ, EVENT_WRITE, type SelectResult } from "./types.ts";

// <sys/epoll.h>
const EPOLL_CLOEXEC = 0x80000;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
const EPOLLIN = 0x001;
const EPOLLOUT = 0x004;
// EPOLLERR and EPOLLHUP are always reported, even if not asked for
// (epoll_ctl(2)). Python maps them to "ready" for whatever the fd was
// registered for, so its owner sees the EOF or the error on its next call;
// so do we. EPOLLRDHUP (peer shut down its writing side, <sys/epoll.h>
// 0x2000) is not requested: EPOLLIN already fires for that EOF, and asking
// for it would only wake a writer early.

// struct epoll_event { uint32_t events; epoll_data_t data; } is
// __attribute__((packed)) on x86_64 only (<sys/epoll.h>: "#ifdef
// __x86_64__ __EPOLL_PACKED"; epoll_ctl(2) NOTES): 12 bytes there, data at
// offset 4; 16 bytes elsewhere, data at offset 8. We keep the fd in the low
// 32 bits of data (little-endian on every arch Deno ships for).
const PACKED = arch === "x86_64";
const STRIDE_WORDS = PACKED ? 3 : 4;
const DATA_WORD = PACKED ? 1 : 2;

function toEpoll(events: number): number {
  return ((events & EVENT_READ) ? EPOLLIN : 0) |
    ((events & EVENT_WRITE) ? EPOLLOUT : 0);
}

/**
 * Kernel readiness -> our events, as Python's selectors: anything but
 * EPOLLOUT alone (EPOLLIN, EPOLLERR, EPOLLHUP, EPOLLPRI) means "read now",
 * anything but EPOLLIN alone (EPOLLOUT, EPOLLERR, EPOLLHUP) means "write
 * now": the call then returns the data, the EOF, or the error.
 */
function fromEpoll(ev: number): number {
  return ((ev & ~EPOLLOUT) ? EVENT_READ : 0) |
    ((ev & ~EPOLLIN) ? EVENT_WRITE : 0);
}

/**
 * A selector on Linux's epoll (Python's `selectors.EpollSelector`).
 *
 * @typeParam T The per-fd data type.
 *
 * @example Waiting for a pipe to become readable
 * ```ts
 * import { EpollSelector, EVENT_READ, pipe, write, close } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * if (Deno.build.os === "linux") {
 *   using sel = new EpollSelector<string>();
 *   const [r, w] = pipe();
 *   sel.register(r, EVENT_READ, "pipe");
 *   assert.deepEqual(sel.select(0), []);
 *   write(w, new Uint8Array([1]));
 *   const [[key, events]] = sel.select(1);
 *   assert.equal(key.data, "pipe");
 *   assert.equal(events, EVENT_READ);
 *   close(r);
 *   close(w);
 * }
 * ```
 */
export class EpollSelector<T = unknown> extends BaseSelector<T> {
  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected readonly _name = "epoll";
  readonly #epfd: number;
  readonly #ctlBuf = new Uint32Array(4);
  #buf = new Uint32Array(64 * STRIDE_WORDS);
  #cap = 64;

  // The wait, built once: a closure over the symbol in a local is V8's
  // fastest FFI call, and no closure is made per select().
  readonly #call: (t: number | null) => number;
  readonly #epollCtl: NonNullable<LibcSymbols["epoll_ctl"]>;

  /**
   * Create the epoll instance (close-on-exec).
   *
   * @throws {Error} off Linux, where there is no epoll.
   * @throws {OSError} if epoll_create1 fails (e.g. EMFILE).
   */
  constructor() {
    super();
    const create = need("epoll_create1", "use DefaultSelector");
    const epollWait = need("epoll_wait", "use DefaultSelector");
    this.#epollCtl = need("epoll_ctl", "use DefaultSelector");
    this.#epfd = check(create(EPOLL_CLOEXEC), "epoll_create1");
    this._closeOnCollect(this.#epfd);
    this.#call = (t) =>
      epollWait(this.#epfd, this.#buf, this.#cap, toMillis(t));
  }

  /** The epoll instance's own fd. */
  fileno(): number {
    return this.#epfd;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected override _readyFd(): number {
    return this.#epfd;
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _add(fd: number, events: number): void {
    this.#ctl(EPOLL_CTL_ADD, fd, events);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _modify(fd: number, events: number): void {
    this.#ctl(EPOLL_CTL_MOD, fd, events);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _remove(fd: number, _events: number): void {
    const b = this.#ctlBuf;
    b[0] = 0;
    // The fd may be closed already (the kernel then dropped it itself):
    // like Python, unregistering still succeeds.
    this.#epollCtl(this.#epfd, EPOLL_CTL_DEL, fd, b);
  }

  #ctl(op: number, fd: number, events: number): void {
    const b = this.#ctlBuf;
    b[0] = toEpoll(events);
    b[DATA_WORD] = fd;
    check(this.#epollCtl(this.#epfd, op, fd, b), "epoll_ctl", fd);
  }

  #ensureCapacity(): void {
    // Grown before a wait, never during one: a pooled wait owns the buffer.
    const want = Math.max(this._keys.size, 1);
    if (want > this.#cap) {
      this.#cap = Math.max(want, this.#cap * 2);
      this.#buf = new Uint32Array(this.#cap * STRIDE_WORDS);
    }
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _wait(timeout: number | null): number {
    this.#ensureCapacity();
    return waitRetry(timeout, this.#call, "epoll_wait", this.#epfd);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected async _waitAsync(timeout: number | null): Promise<number> {
    this.#ensureCapacity();
    const n = await libc().epoll_wait_async!(
      this.#epfd,
      this.#buf,
      this.#cap,
      toMillis(timeout),
    );
    return n < 0 ? -1 : n; // errno stayed on the pool thread
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _collect(n: number, out: SelectResult<T>): void {
    const buf = this.#buf;
    const keys = this._keys;
    for (let i = 0; i < n; i++) {
      const base = i * STRIDE_WORDS;
      const ev = buf[base];
      const key = keys.get(buf[base + DATA_WORD]);
      if (key === undefined) continue;
      const ready = fromEpoll(ev) & key.events;
      if (ready !== 0) out.push([key, ready]);
    }
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected _close(): void {
    libc().close(this.#epfd);
  }

  /**
   * Backend hook, see {@linkcode BaseSelector}. @internal
   * @ignore
   */
  protected override _interrupt(): void {
    try {
      this.#ctl(EPOLL_CTL_ADD, this._interruptFd(), EVENT_READ);
    } catch {
      // Then the wait ends at its timeout, as before.
    }
  }
}
