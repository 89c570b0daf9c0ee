/**
 * Registration bookkeeping shared by every selector: argument checks, the
 * fd -> key map, closed checks and their error messages. A backend supplies
 * only the kernel side (`_add`, `_modify`, `_remove`, `_wait`, `_waitAsync`).
 *
 * @module
 */

import { asyncCallsOffThread, libc, libraryName } from "./_libc.ts";
import { waitReadable } from "./_bun_waiter.ts";
import { monotonic } from "./clock.ts";
import { fileno } from "./fileno.ts";
import { Wakeup } from "./wakeup.ts";
import {
  EVENT_READ,
  EVENT_WRITE,
  type FileObject,
  type Selector,
  type SelectorKey,
  type SelectResult,
} from "./types.ts";

const ALL_EVENTS = EVENT_READ | EVENT_WRITE;

/** A registered fd. Frozen: `modify()` replaces it, as Python does. */
class Key<T> implements SelectorKey<T> {
  constructor(
    readonly fileobj: FileObject,
    readonly fd: number,
    readonly events: number,
    readonly data: T,
  ) {
    Object.freeze(this);
  }
}

// Kernel objects of selectors collected without close(): closed then (the
// number is not reused under us: close() unregisters first).
const dropped = new FinalizationRegistry<number>((fd) => {
  libc().close(fd);
});

/**
 * The common half of every selector (Python's `selectors.BaseSelector`):
 * argument checks, the fd -> key map and closed checks. A backend extends it
 * and implements the protected hooks for the kernel side.
 *
 * @example Every selector is a BaseSelector
 * ```ts
 * import { BaseSelector, PollSelector } from "./mod.ts";
 * import assert from "node:assert/strict";
 * using sel = new PollSelector();
 * assert.ok(sel instanceof BaseSelector);
 * ```
 */
export abstract class BaseSelector<T = unknown> implements Selector<T> {
  /**
   * @internal
   * @ignore
   */
  protected readonly _keys: Map<number, SelectorKey<T>> = new Map();
  #view: MapView<T> | undefined;
  #closed = false;
  #waitingAsync = false;
  // The fd close() makes readable to end a pending pooled wait of poll and
  // select, whose fd set is fixed when the wait starts (see _interruptFd).
  #interrupt: Wakeup | null = null;

  /**
   * The backend's name, for messages ("epoll").
   * @ignore
   */
  protected abstract readonly _name: string;
  /**
   * Start watching `fd` for `events` in the kernel.
   * @ignore
   */
  protected abstract _add(fd: number, events: number): void;
  /**
   * Change the kernel's interest for `fd`.
   * @ignore
   */
  protected abstract _modify(fd: number, events: number): void;
  /**
   * Stop watching `fd`; it may already be closed, which is no error.
   * @ignore
   */
  protected abstract _remove(fd: number, events: number): void;
  /**
   * Wait; return how many entries the backend filled (0: timed out).
   * @ignore
   */
  protected abstract _wait(timeout: number | null): number;
  /**
   * As `_wait`, on the thread pool; -1 if the call failed (its errno stayed
   * on the pool thread) or its result is stale, and the base should poll
   * once more on this thread.
   * @ignore
   */
  protected abstract _waitAsync(timeout: number | null): Promise<number>;
  /**
   * Append ready keys from the last wait to `out`.
   * @ignore
   */
  protected abstract _collect(n: number, out: SelectResult<T>): void;
  /**
   * Release the kernel object.
   * @ignore
   */
  protected abstract _close(): void;
  /**
   * Called by close() during a pooled wait, just before the interrupt fd
   * is made readable: a backend whose kernel object holds the wait's fd set
   * (epoll, kqueue) adds `_interruptFd()` to it here. Backends that pass
   * their set to each wait (poll, select) add it to every pooled wait
   * instead and need nothing here.
   * @ignore
   */
  protected _interrupt(): void {}
  /**
   * The fd close() makes readable to end a pending pooled wait at once
   * instead of at its timeout. Made on first use (a selector used only
   * synchronously costs no fd); closed with the selector, or when a dropped
   * selector is collected.
   * @ignore
   */
  protected _interruptFd(): number {
    return (this.#interrupt ??= new Wakeup()).fd;
  }
  /**
   * The backend owns kernel object `fd`: close it if the selector is
   * collected without `close()`.
   * @ignore
   */
  protected _closeOnCollect(fd: number): void {
    dropped.register(this, fd, this);
  }
  /**
   * An fd that is readable exactly when a wait would return (epoll's and
   * kqueue's own), or -1. Lets a Worker do the waiting on Bun.
   * @ignore
   */
  protected _readyFd(): number {
    return -1;
  }
  /**
   * Extra checks before `_add` (select's FD_SETSIZE, fd is open).
   * @ignore
   */
  protected _check(_fd: number): void {}

  /** Start watching `fileobj` for `events` (see {@linkcode Selector}). */
  register(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.#checkOpen("register");
    const fd = fileno(fileobj, "register");
    checkEvents(events, `register fd ${fd}`);
    if (this._keys.has(fd)) {
      throw new Error(
        `Cannot register fd ${fd}: it is already registered, use modify() to change its events`,
      );
    }
    this._check(fd);
    this._add(fd, events);
    const key = new Key(fileobj, fd, events, data as T);
    this._keys.set(fd, key);
    return key;
  }

  /** Stop watching `fileobj`; returns its key. */
  unregister(fileobj: FileObject): SelectorKey<T> {
    this.#checkOpen("unregister");
    const fd = fileno(fileobj, "unregister");
    const key = this._keys.get(fd);
    if (key === undefined) {
      throw new Error(`Cannot unregister fd ${fd}: it is not registered`);
    }
    this._keys.delete(fd);
    this._remove(fd, key.events);
    return key;
  }

  /** Change the events and data of a registered `fileobj`. */
  modify(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.#checkOpen("modify");
    const fd = fileno(fileobj, "modify");
    checkEvents(events, `modify fd ${fd}`);
    const old = this._keys.get(fd);
    if (old === undefined) {
      throw new Error(
        `Cannot modify fd ${fd}: it is not registered, use register() first`,
      );
    }
    if (old.events !== events) this._modify(fd, events);
    const key = new Key(fileobj, fd, events, data as T);
    this._keys.set(fd, key);
    return key;
  }

  /** Wait for readiness (seconds; null waits forever, <= 0 polls). */
  select(timeout?: number | null): SelectResult<T> {
    this.#checkOpen("select");
    // A pooled wait owns the result buffer until it returns.
    if (this.#waitingAsync) {
      throw new Error(
        "Cannot select(): a selectAsync() on this selector is still waiting, await it first",
      );
    }
    const t = checkTimeout(timeout);
    const out: SelectResult<T> = [];
    const n = this._wait(t);
    if (n > 0) this._collect(n, out);
    return out;
  }

  /**
   * As `select()`, waiting off the JS thread (Deno's thread pool; koffi's
   * on Node; on Bun a Worker, or polling between host turns for poll and
   * select). One wait at a time per selector. Closing the selector meanwhile makes it resolve to `[]`; the
   * kernel object is released when the pooled wait returns (at its
   * timeout, or at the next event), never under it.
   */
  async selectAsync(timeout?: number | null): Promise<SelectResult<T>> {
    this.#checkOpen("select");
    if (this.#waitingAsync) {
      throw new Error(
        "Cannot selectAsync(): another selectAsync() on this selector is still waiting, await it first",
      );
    }
    const t = checkTimeout(timeout);
    this.#waitingAsync = true;
    let n: number;
    try {
      n = asyncCallsOffThread()
        ? await this._waitAsync(t)
        : await this.#waitOnWorker(t);
    } finally {
      this.#waitingAsync = false;
      if (this.#closed) this.#release();
    }
    const out: SelectResult<T> = [];
    if (this.#closed) return out;
    // The pooled call failed or went stale: ask again here, without
    // waiting; this retries EINTR or throws the real error with its errno.
    if (n < 0) n = this._wait(0);
    if (n > 0) this._collect(n, out);
    return out;
  }

  /**
   * Where the runtime has no calls off the JS thread (Bun): a Worker waits
   * for the backend's own fd (epoll, kqueue), then the base polls it here
   * (-1). Backends without one poll between host turns.
   */
  #waitOnWorker(timeout: number | null): Promise<number> {
    const fd = this._readyFd();
    if (fd < 0) return this.#pollBetweenTurns(timeout);
    return waitReadable(libraryName(), fd, toMillis(timeout)).then(() => -1);
  }

  /**
   * selectAsync() on Bun for poll and select, which have no one fd a
   * Worker could wait on: zero-timeout waits, with a 1 ms host turn between
   * them, until an event, the timeout or close(). Costs up to 1 ms of
   * latency and ~1000 wake-ups a second while waiting.
   */
  async #pollBetweenTurns(timeout: number | null): Promise<number> {
    const deadline = timeout === null ? Infinity : monotonic() + timeout;
    for (;;) {
      if (this.#closed) return 0;
      const n = this._wait(0);
      if (n !== 0) return n;
      const left = deadline - monotonic();
      if (left <= 0) return 0;
      await new Promise((r) => setTimeout(r, Math.min(1, left * 1000)));
    }
  }

  /** The key of a registered `fileobj`. */
  getKey(fileobj: FileObject): SelectorKey<T> {
    this.#checkOpen("get a key");
    const fd = fileno(fileobj, "get a key");
    const key = this._keys.get(fd);
    if (key === undefined) {
      throw new Error(`Cannot get the key of fd ${fd}: it is not registered`);
    }
    return key;
  }

  /** A read-only view: fd -> key. */
  getMap(): ReadonlyMap<number, SelectorKey<T>> {
    this.#checkOpen("get the map");
    return this.#view ??= new MapView(this._keys);
  }

  /**
   * Release the kernel object; later calls throw. Idempotent. During a
   * pending `selectAsync()` the fd is released when that wait returns,
   * which closing makes happen at once (the selector's interrupt fd becomes
   * readable inside the wait). A
   * selector collected without `close()` releases its kernel object then.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this._keys.clear();
    dropped.unregister(this);
    // A pool thread may be about to wait on our fd: closing it now could
    // let that wait land on whatever reuses the number. selectAsync()
    // releases it when the wait is over, which the backend hastens.
    if (!this.#waitingAsync) this.#release();
    else {
      this._interrupt();
      this.#interrupt?.signal();
    }
  }

  #release(): void {
    this._close();
    this.#interrupt?.close();
    this.#interrupt = null;
  }

  /** Closes the selector (`using sel = new EpollSelector()`). */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(action: string): void {
    if (this.#closed) {
      throw new Error(`Cannot ${action}: the ${this._name} selector is closed`);
    }
  }
}

/**
 * A live, read-only view of the fd -> key map (Python's `_SelectorMapping`):
 * the caller cannot cast its way to `set()` and desynchronise the kernel.
 */
class MapView<T> implements ReadonlyMap<number, SelectorKey<T>> {
  readonly #map: Map<number, SelectorKey<T>>;
  constructor(map: Map<number, SelectorKey<T>>) {
    this.#map = map;
  }
  get size(): number {
    return this.#map.size;
  }
  get(fd: number): SelectorKey<T> | undefined {
    return this.#map.get(fd);
  }
  has(fd: number): boolean {
    return this.#map.has(fd);
  }
  forEach(
    fn: (
      key: SelectorKey<T>,
      fd: number,
      map: ReadonlyMap<number, SelectorKey<T>>,
    ) => void,
    thisArg?: unknown,
  ): void {
    for (const [fd, key] of this.#map) fn.call(thisArg, key, fd, this);
  }
  keys(): MapIterator<number> {
    return this.#map.keys();
  }
  values(): MapIterator<SelectorKey<T>> {
    return this.#map.values();
  }
  entries(): MapIterator<[number, SelectorKey<T>]> {
    return this.#map.entries();
  }
  [Symbol.iterator](): MapIterator<[number, SelectorKey<T>]> {
    return this.#map.entries();
  }
}

function checkEvents(events: number, action: string): void {
  if (
    !Number.isInteger(events) || events === 0 || (events & ~ALL_EVENTS) !== 0
  ) {
    throw new RangeError(
      `Cannot ${action}: events must be EVENT_READ, EVENT_WRITE or both, got ${events}`,
    );
  }
}

function checkTimeout(timeout: number | null | undefined): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number" || Number.isNaN(timeout)) {
    throw new TypeError(
      `Cannot select: timeout must be seconds, null or undefined, got ${
        String(timeout)
      }`,
    );
  }
  return timeout < 0 ? 0 : timeout;
}

/**
 * Milliseconds for poll/epoll_wait: -1 forever, rounded up so a wait never
 * ends before the deadline (Python rounds the same way). @internal
 */
export function toMillis(timeout: number | null): number {
  if (timeout === null) return -1;
  if (timeout <= 0) return 0;
  return Math.min(Math.ceil(timeout * 1000), 0x7fffffff);
}
