/**
 * The shared base of our fd transports (socket streams, datagrams, and the
 * pipe transports of subprocesses): extra info, protocol get/set, closing
 * state, write-buffer limits with `pauseWriting`/`resumeWriting`, and the
 * fatal-error path. Generic over "an fd that is read and/or written": a
 * subclass supplies the buffer size, how to force-close, and how to release
 * its fd.
 *
 * The surface for subclasses (all `protected`):
 * - `_loop`, `_protocol`, `_extra`, `_closing`, `_connLost`, `_flags`
 *   (bits of {@linkcode Flag}, `_setFlag`);
 * - `_maybePauseProtocol()` after buffering, `_maybeResumeProtocol()` after
 *   flushing — call them on every write path;
 * - `_fatalError(exc, message)` for an unexpected error (reported to the
 *   loop's exception handler unless it is a connection error), which calls
 *   `_forceClose(exc)`;
 * - `_scheduleConnectionLost(exc)`: once, calls the protocol's
 *   `connectionLost(exc)` on the next iteration, then `_release()`.
 *
 * @module
 */

import {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  TimeoutError,
} from "../poll/errors.ts";
import { _describe } from "../futures/_describe.ts";
import type { Future } from "../futures/future.ts";
import type { NetLoop } from "./_loop.ts";
import type { BaseProtocol, BaseTransport } from "./types.ts";
import * as netKeys from "./_keys.ts";
import * as tlsKeys from "../tls/_keys.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _loop: typeof netKeys._loop = netKeys._loop;
const _release: typeof tlsKeys._release = tlsKeys._release;
const _start: typeof futureKeys._start = futureKeys._start;

/** asyncio's default high-water mark (64 KiB); low is a quarter. */
const DEFAULT_HIGH = 64 * 1024;
const DEFAULT_LOW = DEFAULT_HIGH / 4;

/**
 * The bits of `FdTransportBase._flags`, for the base and its subclasses.
 * @internal
 */
export const Flag = {
  /** `close()`/`abort()` called, or closing after an error. */
  Closing: 1,
  /** `pauseWriting()` was called and `resumeWriting()` not yet. */
  ProtocolPaused: 2,
  /** `writeEof()` was called. */
  Eof: 4,
  /** Closed by a connection error (writes are dropped, not refused). */
  LostByError: 8,
  /** Watching for writability to flush the backlog. */
  Writing: 16,
  /** `pauseReading()` was called. */
  ReadPaused: 32,
  /** The protocol is a BufferedProtocol. */
  Buffered: 64,
  /** The fd was closed by `_release()` (its number may be reused). */
  Released: 128,
} as const;

/**
 * Base of fd transports.
 * @internal
 */
export abstract class FdTransportBase<P extends BaseProtocol = BaseProtocol>
  implements BaseTransport {
  /** The loop this transport runs on. */
  protected readonly [_loop]: NetLoop;
  /** The protocol driven (the user's, or e.g. a TLS layer). */
  protected _protocol: P;
  /** Extra info for `getExtraInfo`. */
  protected readonly _extra: Record<string, unknown>;
  /**
   * The transport's yes/no state, one bit each (see {@linkcode Flag}): one
   * field instead of one per flag keeps each of 10,000 idle connections
   * smaller.
   */
  protected _flags = 0;
  /** Non-zero once `connectionLost` is scheduled. */
  protected _connLost = 0;
  // [low, high] once set; null: the defaults.
  #limits: [number, number] | null = null;

  constructor(loop: NetLoop, protocol: P, extra: Record<string, unknown>) {
    this[_loop] = loop;
    this._protocol = protocol;
    this._extra = extra;
  }

  /** Bytes buffered and not yet sent. */
  abstract getWriteBufferSize(): number;
  /** Close (flushing what is buffered, where there is a write side). */
  abstract close(): void;
  /** Close at once with `exc` (null: by request). */
  protected abstract _forceClose(exc: Error | null): void;
  /** Release the fd after `connectionLost` ran. */
  protected abstract [_release](): void;

  /**
   * asyncio's start-up order, one callback each: `connectionMade`, then
   * `watch` (start reading), then the waiter. A `connectionMade` that
   * throws closes the transport and fails the waiter with its error.
   */
  protected [_start](waiter: Future<void> | null, watch: () => void): void {
    const loop = this[_loop];
    loop.callSoon(() => {
      try {
        this._protocol.connectionMade?.(this);
      } catch (err) {
        this._fatalError(err, "protocol.connectionMade() failed");
        if (waiter !== null && !waiter.done()) waiter.setException(err);
      }
    });
    loop.callSoon(watch);
    if (waiter !== null) {
      loop.callSoon(() => {
        if (!waiter.done()) waiter.setResult(undefined);
      });
    }
  }

  /** `close()`/`abort()` called, or closing after an error. */
  protected get _closing(): boolean {
    return (this._flags & Flag.Closing) !== 0;
  }
  protected set _closing(on: boolean) {
    this._setFlag(Flag.Closing, on);
  }

  /** Set or clear `flag`. */
  protected _setFlag(flag: number, on: boolean): void {
    this._flags = on ? this._flags | flag : this._flags & ~flag;
  }

  /** Extra info: "socket", "sockname", "peername", "pipe", ... */
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return Object.hasOwn(this._extra, name) ? this._extra[name] : defaultValue;
  }

  /** Whether the transport is closing or closed. */
  isClosing(): boolean {
    return this._closing;
  }

  /** Hand the transport to another protocol. */
  setProtocol(protocol: BaseProtocol): void {
    this._protocol = protocol as P;
  }

  /** The protocol driven. */
  getProtocol(): P {
    return this._protocol;
  }

  /**
   * Set the water marks (asyncio's rules: high defaults to 64 KiB, or 4 x
   * low when only low is given; low defaults to high / 4).
   *
   * @throws {RangeError} unless high >= low >= 0.
   */
  setWriteBufferLimits(high?: number, low?: number): void {
    const h = high ?? (low === undefined ? DEFAULT_HIGH : 4 * low);
    const l = low ?? Math.floor(h / 4);
    if (!(h >= l && l >= 0)) {
      throw new RangeError(
        `Cannot set write buffer limits: high (${h}) must be >= low (${l}) must be >= 0`,
      );
    }
    this.#limits = [l, h];
    this._maybePauseProtocol();
  }

  /** `[low, high]`. */
  getWriteBufferLimits(): [low: number, high: number] {
    return this.#limits === null
      ? [DEFAULT_LOW, DEFAULT_HIGH]
      : [...this.#limits];
  }

  /** Call `pauseWriting()` once the buffer passed the high-water mark. */
  protected _maybePauseProtocol(): void {
    if (
      (this._flags & Flag.ProtocolPaused) !== 0 ||
      this.getWriteBufferSize() <= (this.#limits?.[1] ?? DEFAULT_HIGH)
    ) {
      return;
    }
    this._flags |= Flag.ProtocolPaused;
    try {
      this._protocol.pauseWriting?.();
    } catch (err) {
      this._report("protocol.pauseWriting() failed", err);
    }
  }

  /** Call `resumeWriting()` once the buffer drained to the low mark. */
  protected _maybeResumeProtocol(): void {
    if (
      (this._flags & Flag.ProtocolPaused) === 0 ||
      this.getWriteBufferSize() > (this.#limits?.[0] ?? DEFAULT_LOW)
    ) {
      return;
    }
    this._flags &= ~Flag.ProtocolPaused;
    try {
      this._protocol.resumeWriting?.();
    } catch (err) {
      this._report("protocol.resumeWriting() failed", err);
    }
  }

  /** Report `exc` unless it is a connection error, then force-close. */
  protected _fatalError(exc: unknown, message: string): void {
    const err = exc instanceof Error ? exc : new Error(String(exc));
    if (!isConnectionError(err)) this._report(message, err);
    this._forceClose(err);
  }

  /** Hand an error nobody can catch to the loop's exception handler. */
  protected _report(message: string, exc: unknown): void {
    this[_loop].callExceptionHandler({
      message,
      exception: exc,
      transport: this,
      protocol: this._protocol,
    });
  }

  /** Schedule `connectionLost(exc)` (once), then `_release()`. */
  protected _scheduleConnectionLost(exc: Error | null): void {
    if (this._connLost++ !== 0) return;
    this[_loop].callSoon(() => this.#callConnectionLost(exc));
  }

  #callConnectionLost(exc: Error | null): void {
    try {
      this._protocol.connectionLost?.(exc);
    } catch (err) {
      this._report("protocol.connectionLost() failed", err);
    } finally {
      this[_release]();
    }
  }
}

/**
 * Errors of the connection itself (reset, refused, aborted, broken pipe,
 * timed out): the protocol hears of them; the exception handler does not.
 * @internal
 */
export function isConnectionError(err: unknown): boolean {
  return err instanceof ConnectionResetError ||
    err instanceof BrokenPipeError ||
    err instanceof ConnectionAbortedError ||
    err instanceof ConnectionRefusedError ||
    err instanceof TimeoutError;
}

/**
 * `data` of a `write()`, checked: anything but a Uint8Array is a TypeError.
 * @internal
 */
export function checkWriteData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot write: data must be a Uint8Array, got ${_describe(data)}`,
    );
  }
}

/**
 * The buffers of a `writelines()`, all checked before any is written.
 * @internal
 */
export function checkWriteList(list: Iterable<Uint8Array>): Uint8Array[] {
  const items = Array.from(list);
  for (const d of items) {
    if (!(d instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot write: every item must be a Uint8Array, got ${_describe(d)}`,
      );
    }
  }
  return items;
}
