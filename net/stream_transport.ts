/**
 * `SocketTransport`: the stream transport over a connected socket (TCP or
 * Unix stream), asyncio's `_SelectorSocketTransport` behaviour.
 *
 * Read path: one `recv` per readiness into one 256 KiB buffer shared by
 * every transport of the thread (uvloop's design: idle connections hold no
 * read buffer), the bytes copied out for `dataReceived` so they stay valid;
 * a `BufferedProtocol` receives straight into its own buffer instead.
 * Write path: `write` sends at once when nothing is queued; what does not
 * fit is copied into a contiguous backlog flushed with one `send` per
 * write readiness. `pauseWriting`/`resumeWriting` are called on every
 * write path (`write`, `writelines`, the flush). `TCP_NODELAY` is set, as
 * asyncio does.
 *
 * One difference from asyncio, for a JS reason: `write()` after the user
 * called `close()`/`abort()` throws instead of buffering silently (a
 * silently dropped write is a lost byte nobody hears of). After the peer
 * reset the connection, writes are dropped as in asyncio: the protocol's
 * `connectionLost(exc)` says what happened.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { RuntimeError } from "../futures/errors.ts";
import {
  getpeername,
  getsockname,
  recvOrAgain,
  sendOrAgain,
  setsockoptInt,
  shutdown,
} from "../poll/socket.ts";
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  SHUT_WR,
  SOCK_STREAM,
  TCP_NODELAY,
} from "../poll/socket_constants.ts";
import type { NetLoop } from "./_loop.ts";
import {
  checkWriteData,
  checkWriteList,
  FdTransportBase,
} from "./_transport_base.ts";
import { WriteBuffer } from "./_write_buffer.ts";
import { keepReceived } from "./_received.ts";
import type { Socket } from "./socket.ts";
import type {
  BaseProtocol,
  BufferedProtocol,
  Protocol,
  Transport,
} from "./types.ts";

/** asyncio's `max_size` of one read: the size of the shared read buffer. @internal */
export const READ_SIZE = 256 * 1024;
const READ_SIZE_N = BigInt(READ_SIZE);
let sharedReadBuffer: Uint8Array | null = null;

/**
 * The read buffer every transport of this thread receives into (data is
 * copied out before any protocol sees it).
 * @internal
 */
export function readBuffer(): Uint8Array {
  return sharedReadBuffer ??= new Uint8Array(READ_SIZE);
}

/**
 * What tracks a transport's life (a `Server` counts its connections).
 * @internal
 */
export interface TransportOwner {
  /** A transport was created. */
  _attach(t: Transport): void;
  /** A transport's connection is lost and its fd closed. */
  _detach(t: Transport): void;
}

/**
 * Options of {@linkcode SocketTransport}.
 * @internal
 */
export interface SocketTransportOptions {
  /** Resolved once `connectionMade` ran. */
  waiter?: Future<void> | null;
  /** More extra info. */
  extra?: Record<string, unknown>;
  /** The server that accepted the connection. */
  server?: TransportOwner | null;
}

/**
 * A stream transport over a connected non-blocking socket.
 * @internal
 */
export class SocketTransport extends FdTransportBase<BaseProtocol>
  implements Transport {
  readonly #sock: Socket;
  readonly #fd: number;
  #buffered = false;
  #paused = false;
  #eof = false;
  #lostByError = false;
  #writing = false;
  // Made on the first write that has to wait: idle connections stay small.
  #wbufOrNull: WriteBuffer | null = null;
  readonly #server: TransportOwner | null;
  readonly #onReadable = (): void => this.#readReady();
  #onWritable: (() => void) | null = null;

  constructor(
    loop: NetLoop,
    sock: Socket,
    protocol: BaseProtocol,
    options: SocketTransportOptions = {},
  ) {
    const extra: Record<string, unknown> = { socket: sock, ...options.extra };
    const fd = sock.fileno();
    if (!("sockname" in extra)) {
      try {
        extra.sockname = getsockname(fd);
      } catch {
        extra.sockname = null;
      }
    }
    if (!("peername" in extra)) {
      try {
        extra.peername = getpeername(fd);
      } catch {
        extra.peername = null;
      }
    }
    super(loop, protocol, extra);
    this.#sock = sock;
    this.#fd = fd;
    this.#buffered = isBuffered(protocol);
    this.#server = options.server ?? null;
    if (
      (sock.family === AF_INET || sock.family === AF_INET6) &&
      sock.type === SOCK_STREAM
    ) {
      try {
        setsockoptInt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      } catch {
        // Not fatal: the connection works without it (asyncio ignores too).
      }
    }
    this.#server?._attach(this);
    const waiter = options.waiter ?? null;
    loop.callSoon(() => {
      try {
        (this._protocol as Protocol).connectionMade?.(this);
      } catch (err) {
        this._fatalError(err, "protocol.connectionMade() failed");
        if (waiter !== null && !waiter.done()) waiter.setException(err);
      }
    });
    loop.callSoon(() => {
      if (!this.#paused && !this._closing) {
        loop.addReader(this.#fd, this.#onReadable);
      }
    });
    if (waiter !== null) {
      loop.callSoon(() => {
        if (!waiter.done()) waiter.setResult(undefined);
      });
    }
  }

  /** Hand the transport to another protocol (plain or buffered). */
  override setProtocol(protocol: BaseProtocol): void {
    this.#buffered = isBuffered(protocol);
    super.setProtocol(protocol);
  }

  // ---- reading ------------------------------------------------------------

  #readReady(): void {
    if (this._connLost !== 0) return;
    if (this.#buffered) {
      this.#readIntoProtocol();
      return;
    }
    const buf = readBuffer();
    let n: number;
    try {
      n = recvOrAgain(this.#fd, buf, READ_SIZE_N);
    } catch (err) {
      this._fatalError(err, "Fatal read error on socket transport");
      return;
    }
    if (n === -1) return;
    if (n === 0) {
      this.#readEof();
      return;
    }
    const data = keepReceived(buf, n);
    try {
      (this._protocol as Protocol).dataReceived(data);
    } catch (err) {
      this._fatalError(err, "Fatal error: protocol.dataReceived() call failed");
    }
  }

  #readIntoProtocol(): void {
    const p = this._protocol as BufferedProtocol;
    let buf: Uint8Array;
    try {
      buf = p.getBuffer(-1);
      if (!(buf instanceof Uint8Array) || buf.length === 0) {
        throw new RuntimeError(
          "Cannot receive: getBuffer() returned an empty buffer, return a non-empty Uint8Array",
        );
      }
    } catch (err) {
      this._fatalError(err, "Fatal error: protocol.getBuffer() call failed");
      return;
    }
    let n: number;
    try {
      n = recvOrAgain(this.#fd, buf, BigInt(buf.length));
    } catch (err) {
      this._fatalError(err, "Fatal read error on socket transport");
      return;
    }
    if (n === -1) return;
    if (n === 0) {
      this.#readEof();
      return;
    }
    try {
      p.bufferUpdated(n);
    } catch (err) {
      this._fatalError(
        err,
        "Fatal error: protocol.bufferUpdated() call failed",
      );
    }
  }

  #readEof(): void {
    let keepOpen: boolean | void;
    try {
      keepOpen = (this._protocol as Protocol).eofReceived?.();
    } catch (err) {
      this._fatalError(err, "Fatal error: protocol.eofReceived() call failed");
      return;
    }
    if (keepOpen === true) this._loop.removeReader(this.#fd);
    else this.close();
  }

  /** Whether `dataReceived` is being called (not paused, not closing). */
  isReading(): boolean {
    return !this.#paused && !this._closing;
  }

  /** Stop reading until `resumeReading()`. No-op when closing or paused. */
  pauseReading(): void {
    if (this._closing || this.#paused) return;
    this.#paused = true;
    this._loop.removeReader(this.#fd);
  }

  /** Resume reading. No-op when closing or not paused. */
  resumeReading(): void {
    if (this._closing || !this.#paused) return;
    this.#paused = false;
    this._loop.addReader(this.#fd, this.#onReadable);
  }

  // ---- writing ------------------------------------------------------------

  /** Bytes queued and not yet sent. */
  getWriteBufferSize(): number {
    return this.#wbufOrNull === null ? 0 : this.#wbufOrNull.size;
  }

  #checkWritable(): boolean {
    if (this.#eof) {
      throw new RuntimeError(
        "Cannot write: writeEof() was called, no more data can be sent",
      );
    }
    if (this._closing && !this.#lostByError) {
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
        n = sendOrAgain(this.#fd, data);
      } catch (err) {
        this._fatalError(err, "Fatal write error on socket transport");
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
   * with one send).
   *
   * @throws {TypeError} when an item is not a Uint8Array (nothing is sent).
   */
  writelines(list: Iterable<Uint8Array>): void {
    const items = checkWriteList(list);
    if (!this.#checkWritable()) return;
    for (const d of items) this.#wbuf.push(d);
    if (!this.#writing) {
      this.#flush();
      if (this.getWriteBufferSize() > 0 && this._connLost === 0) {
        this.#startWriting();
      }
    }
    this._maybePauseProtocol();
  }

  get #wbuf(): WriteBuffer {
    return this.#wbufOrNull ??= new WriteBuffer();
  }

  #startWriting(): void {
    this.#writing = true;
    this._loop.addWriter(
      this.#fd,
      this.#onWritable ??= () => this.#writeReady(),
    );
  }

  #stopWriting(): void {
    if (!this.#writing) return;
    this.#writing = false;
    this._loop.removeWriter(this.#fd);
  }

  /** One send of the backlog; false after a fatal error. */
  #flush(): boolean {
    const pending = this.#wbuf.pending();
    if (pending.length === 0) return true;
    let n: number;
    try {
      n = sendOrAgain(this.#fd, pending);
    } catch (err) {
      this.#stopWriting();
      this.#wbuf.clear();
      this._fatalError(err, "Fatal write error on socket transport");
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
    this.#stopWriting();
    if (this._closing) this._scheduleConnectionLost(null);
    else if (this.#eof) this.#shutdownWrite();
  }

  #shutdownWrite(): void {
    try {
      shutdown(this.#fd, SHUT_WR);
    } catch (err) {
      this._fatalError(err, "Fatal error: shutdown() failed");
    }
  }

  /** Close the write side once the backlog is sent. */
  writeEof(): void {
    if (this._closing || this.#eof) return;
    this.#eof = true;
    if (this.getWriteBufferSize() === 0) this.#shutdownWrite();
  }

  /** Sockets can half-close. */
  canWriteEof(): boolean {
    return true;
  }

  // ---- closing ------------------------------------------------------------

  /** Flush the backlog, then close; `connectionLost(null)` follows. */
  close(): void {
    if (this._closing) return;
    this._closing = true;
    this._loop.removeReader(this.#fd);
    if (this.getWriteBufferSize() === 0) this._scheduleConnectionLost(null);
  }

  /** Close at once, dropping the backlog; `connectionLost(null)` follows. */
  abort(): void {
    this._forceClose(null);
  }

  protected _forceClose(exc: Error | null): void {
    if (this._connLost !== 0) return;
    if (exc !== null) this.#lostByError = true;
    if (this.getWriteBufferSize() !== 0) {
      this.#wbuf.clear();
      this.#stopWriting();
    }
    if (!this._closing) {
      this._closing = true;
      this._loop.removeReader(this.#fd);
    }
    this._scheduleConnectionLost(exc);
  }

  protected _release(): void {
    this.#stopWriting();
    this._loop.removeReader(this.#fd);
    this.#sock.close();
    this.#server?._detach(this);
  }

  /** For the console. */
  override toString(): string {
    const state = this._connLost !== 0
      ? "closed"
      : this._closing
      ? "closing"
      : "open";
    return `SocketTransport(fd=${this.#fd}, ${state}, buffered=${this.getWriteBufferSize()})`;
  }
}

function isBuffered(p: BaseProtocol): boolean {
  return typeof (p as Partial<BufferedProtocol>).getBuffer === "function";
}
