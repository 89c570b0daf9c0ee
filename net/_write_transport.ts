/**
 * The write side shared by the socket stream transport and the write pipe
 * transport: `write` sends at once when nothing is queued, what does not
 * fit is copied into a contiguous backlog (made on the first write that has
 * to wait, so idle connections hold none) flushed with one syscall per
 * write readiness; `writelines`; `pauseWriting`/`resumeWriting` on every
 * write path. A subclass supplies only the syscall (`send` or `write`), its
 * error message, and what happens once the backlog is sent after
 * `close()`/`writeEof()`.
 *
 * @module
 */

import { RuntimeError } from "../futures/errors.ts";
import type { NetLoop } from "./_loop.ts";
import {
  checkWriteData,
  checkWriteList,
  FdTransportBase,
  Flag,
} from "./_transport_base.ts";
import { WriteBuffer } from "./_write_buffer.ts";
import type { BaseProtocol } from "./types.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _loop: typeof netKeys._loop = netKeys._loop;

/**
 * Base of the fd transports that write a byte stream.
 * @internal
 */
export abstract class FdWriteTransport<P extends BaseProtocol = BaseProtocol>
  extends FdTransportBase<P> {
  /** The fd written. */
  protected readonly _fd: number;
  #wbufOrNull: WriteBuffer | null = null;

  // The write callback, shared by every transport (no closure each).
  static #writable(t: FdWriteTransport): void {
    t.#writeReady();
  }

  constructor(
    loop: NetLoop,
    fd: number,
    protocol: P,
    extra: Record<string, unknown>,
  ) {
    super(loop, protocol, extra);
    this._fd = fd;
  }

  /**
   * One non-blocking write of `data`: the bytes taken, -1 for EAGAIN;
   * throws the OSError otherwise.
   */
  protected abstract _send(data: Uint8Array): number;
  /** The message of a fatal write error ("Fatal write error on ..."). */
  protected abstract readonly _writeErrorMessage: string;
  /** The backlog is sent and `close()` or `writeEof()` was called. */
  protected abstract _backlogSent(): void;

  /** `writeEof()` was called. */
  protected get _eof(): boolean {
    return (this._flags & Flag.Eof) !== 0;
  }
  protected set _eof(on: boolean) {
    this._setFlag(Flag.Eof, on);
  }

  /** Closed by a connection error: later writes are dropped, not refused. */
  protected get _lostByError(): boolean {
    return (this._flags & Flag.LostByError) !== 0;
  }
  protected set _lostByError(on: boolean) {
    this._setFlag(Flag.LostByError, on);
  }

  /** Sockets can half-close; pipes signal EOF by closing. */
  canWriteEof(): boolean {
    return true;
  }

  /** Close at once, dropping the backlog; `connectionLost(null)` follows. */
  abort(): void {
    this._forceClose(null);
  }

  /** Bytes queued and not yet sent. */
  getWriteBufferSize(): number {
    return this.#wbufOrNull === null ? 0 : this.#wbufOrNull.size;
  }

  #checkWritable(): boolean {
    if (this._eof) {
      throw new RuntimeError(
        "Cannot write: writeEof() was called, no more data can be sent",
      );
    }
    if (this._closing && !this._lostByError) {
      throw new RuntimeError(
        "Cannot write: the transport is closing, write before close()",
      );
    }
    // Lost by a connection error: dropped as asyncio does.
    return this._connLost === 0;
  }

  /**
   * Send `data`: at once if nothing is queued, else queued (copied, so the
   * caller may reuse its buffer).
   *
   * @throws {TypeError} for anything but a Uint8Array.
   * @throws {RuntimeError} after `writeEof()`, `close()` or `abort()`.
   */
  write(data: Uint8Array): void {
    checkWriteData(data);
    if (!this.#checkWritable() || data.length === 0) return;
    if (this.getWriteBufferSize() === 0) {
      let n: number;
      try {
        n = this._send(data);
      } catch (err) {
        this._fatalError(err, this._writeErrorMessage);
        return;
      }
      if (n === data.length) return;
      this.#wbuf.push(n <= 0 ? data : data.subarray(n));
      this.#startWriting();
    } else {
      this.#wbuf.push(data);
    }
    this._maybePauseProtocol();
  }

  /**
   * Send every buffer of `list` in order (queued together, then flushed
   * with one syscall).
   *
   * @throws {TypeError} when an item is not a Uint8Array (nothing is sent).
   * @throws {RuntimeError} after `writeEof()`, `close()` or `abort()`.
   */
  writelines(list: Iterable<Uint8Array>): void {
    const items = checkWriteList(list);
    if (!this.#checkWritable()) return;
    for (const d of items) this.#wbuf.push(d);
    if ((this._flags & Flag.Writing) === 0 && this.getWriteBufferSize() > 0) {
      if (this.#flush() && this.getWriteBufferSize() > 0) this.#startWriting();
    }
    this._maybePauseProtocol();
  }

  get #wbuf(): WriteBuffer {
    return this.#wbufOrNull ??= new WriteBuffer();
  }

  #startWriting(): void {
    if ((this._flags & Flag.Writing) !== 0) return;
    this._flags |= Flag.Writing;
    this[_loop].addWriter(this._fd, FdWriteTransport.#writable, this);
  }

  /** Stop watching for writability (idempotent). */
  protected _stopWriting(): void {
    if ((this._flags & Flag.Writing) === 0) return;
    this._flags &= ~Flag.Writing;
    this[_loop].removeWriter(this._fd);
  }

  /** Drop the backlog and stop writing (abort, fatal errors). */
  protected _dropBacklog(): void {
    this.#wbufOrNull?.clear();
    this._stopWriting();
  }

  /** One syscall for the backlog; false after a fatal error. */
  #flush(): boolean {
    const pending = this.#wbuf.pending();
    if (pending.length === 0) return true;
    let n: number;
    try {
      n = this._send(pending);
    } catch (err) {
      this._dropBacklog();
      this._fatalError(err, this._writeErrorMessage);
      return false;
    }
    if (n > 0) this.#wbuf.consume(n);
    return true;
  }

  #writeReady(): void {
    if (this._connLost !== 0) return;
    if (!this.#flush()) return;
    // resumeWriting() may write more: look at the buffer afterwards.
    this._maybeResumeProtocol();
    if (this.getWriteBufferSize() !== 0 || this._connLost !== 0) return;
    this._stopWriting();
    if (this._closing || this._eof) this._backlogSent();
  }
}
