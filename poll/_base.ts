/**
 * Registration bookkeeping shared by every selector: argument checks, the
 * fd -> key map, closed checks and their error messages. A backend supplies
 * only the kernel side (`_add`, `_modify`, `_remove`, `_wait`, `_waitAsync`).
 *
 * @module
 */

import { fileno } from "./fileno.ts";
import {
  EVENT_READ,
  EVENT_WRITE,
  type FileObject,
  type Selector,
  type SelectorKey,
  type SelectResult,
} from "./types.ts";

const ALL_EVENTS = EVENT_READ | EVENT_WRITE;

/** A registered fd. Replaced, never mutated, by `modify()`. */
class Key<T> implements SelectorKey<T> {
  constructor(
    readonly fileobj: FileObject,
    readonly fd: number,
    readonly events: number,
    readonly data: T,
  ) {}
}

/**
 * The common half of every selector (Python's `selectors.BaseSelector`):
 * argument checks, the fd -> key map and closed checks. A backend extends it
 * and implements the protected hooks for the kernel side.
 *
 * @example Every selector is a BaseSelector
 * ```ts
 * import { BaseSelector, PollSelector } from "../mod.ts";
 * import assert from "node:assert/strict";
 * using sel = new PollSelector();
 * assert.ok(sel instanceof BaseSelector);
 * ```
 */
export abstract class BaseSelector<T = unknown> implements Selector<T> {
  /** @internal */ protected readonly _keys: Map<number, SelectorKey<T>> =
    new Map();
  #closed = false;
  #waitingAsync = false;

  /** The backend's name, for messages ("epoll"). */
  protected abstract readonly _name: string;
  /** Start watching `fd` for `events` in the kernel. */
  protected abstract _add(fd: number, events: number): void;
  /** Change the kernel's interest for `fd`. */
  protected abstract _modify(fd: number, events: number): void;
  /** Stop watching `fd`. `gone`: the fd may already be closed. */
  protected abstract _remove(fd: number, events: number): void;
  /** Wait; return how many entries the backend filled. -1 = timed out. */
  protected abstract _wait(timeout: number | null): number;
  /** As `_wait`, on the thread pool. */
  protected abstract _waitAsync(timeout: number | null): Promise<number>;
  /** Append ready keys from the last wait to `out`. */
  protected abstract _collect(n: number, out: SelectResult<T>): void;
  /** Release the kernel object. */
  protected abstract _close(): void;
  /** Extra per-fd checks (select's FD_SETSIZE). */
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
    const t = checkTimeout(timeout);
    const out: SelectResult<T> = [];
    const n = this._wait(t);
    if (n > 0) this._collect(n, out);
    return out;
  }

  /** As `select()`, waiting on Deno's thread pool. One at a time. */
  async selectAsync(timeout?: number | null): Promise<SelectResult<T>> {
    this.#checkOpen("select");
    if (this.#waitingAsync) {
      throw new Error(
        "Cannot selectAsync(): another selectAsync() on this selector is still waiting",
      );
    }
    const t = checkTimeout(timeout);
    this.#waitingAsync = true;
    let n: number;
    try {
      n = await this._waitAsync(t);
    } finally {
      this.#waitingAsync = false;
    }
    const out: SelectResult<T> = [];
    if (this.#closed) return out;
    if (n > 0) this._collect(n, out);
    return out;
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
    return this._keys;
  }

  /** Release the kernel object; later calls throw. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this._keys.clear();
    this._close();
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
