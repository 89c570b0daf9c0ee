/**
 * `SocketTransport`: the stream transport over a connected socket (TCP or
 * Unix stream), asyncio's `_SelectorSocketTransport` behaviour.
 *
 * Read path: one `recv` per readiness into the free tail of the receive
 * slab every transport of the thread shares (`_received.ts`; idle
 * connections hold no read buffer), the bytes handed to `dataReceived` in
 * place (a large read) or copied (a small one), so they stay valid; a
 * `BufferedProtocol` receives straight into its own buffer instead.
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
  closeQuietly,
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
import { Flag } from "./_transport_base.ts";
import { FdWriteTransport } from "./_write_transport.ts";
import { keepTarget, receiveTarget, receiveTargetLen } from "./_received.ts";
import { Socket } from "./socket.ts";
import type {
  BaseProtocol,
  BufferedProtocol,
  Protocol,
  SocketAddress,
  Transport,
} from "./types.ts";
import * as netKeys from "./_keys.ts";
import * as futureKeys from "../futures/_keys.ts";
import * as tlsKeys from "../tls/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _attach: typeof netKeys._attach = netKeys._attach;
const _detach: typeof netKeys._detach = netKeys._detach;
const _loop: typeof netKeys._loop = netKeys._loop;
const _wrap: typeof netKeys._wrap = netKeys._wrap;
const _start: typeof futureKeys._start = futureKeys._start;
const _release: typeof tlsKeys._release = tlsKeys._release;

/** asyncio's `max_size` of one read: the size of the shared read buffer. @internal */
export const READ_SIZE = 256 * 1024;
let sharedReadBuffer: Uint8Array | null = null;
// The last BufferedProtocol buffer and its length as a bigint.
let lastBuf: Uint8Array | null = null;
let lastSize = 0;
let lastLen = 0n;

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
  [_attach](t: Transport): void;
  /** A transport's connection is lost and its fd closed. */
  [_detach](t: Transport): void;
}

/**
 * Options of {@linkcode SocketTransport}.
 * @internal
 */
export interface SocketTransportOptions {
  /** Resolved once `connectionMade` ran. */
  waiter?: Future<void> | null;
  /**
   * The listening socket an fd given as a number was accepted on (its
   * family and type are the fd's).
   */
  listener?: Socket;
  /** The peer's address, when the caller knows it (accept returned it). */
  peername?: SocketAddress;
  /** More extra info. */
  extra?: Record<string, unknown>;
  /** The server that accepted the connection. */
  server?: TransportOwner | null;
}

/**
 * A stream transport over a connected non-blocking socket.
 * @internal
 */
export class SocketTransport extends FdWriteTransport<BaseProtocol>
  implements Transport {
  // The socket; for an accepted fd made when "socket" is first asked for,
  // from #like's family and type (an idle connection holds no Socket).
  #sock: Socket | null;
  readonly #like: Socket;
  readonly #server: TransportOwner | null;
  // The peer's address; for a (host, port) pair only the host, with the
  // port in #peerPort (-1 otherwise): the pair is made when first asked
  // for, so an idle connection holds no array for it.
  #peer: SocketAddress | null;
  #peerPort: number;
  // NOT_READ until "sockname" is first asked for (or the socket closes): an
  // idle connection holds no tuple for it.
  #sockname: unknown = NOT_READ;

  // The read callback, shared by every transport: the transport is its
  // argument, so no closure is kept per connection.
  static #readable(t: SocketTransport): void {
    t.#readReady();
  }

  constructor(
    loop: NetLoop,
    sock: Socket | number,
    protocol: BaseProtocol,
    options: SocketTransportOptions = {},
  ) {
    const like = typeof sock === "number" ? options.listener : sock;
    if (like === undefined) {
      throw new TypeError(
        "Cannot make a transport of an accepted fd without its listener: pass options.listener",
      );
    }
    const fd = typeof sock === "number" ? sock : sock.fileno();
    // "socket", "peername" and "sockname" live in fields, not in an extra
    // object per connection; more extras given (rare) keep theirs, and
    // override those three.
    super(loop, fd, protocol, options.extra ?? NO_EXTRA);
    const peer = options.peername !== undefined
      ? options.peername
      : addressOf(getpeername, fd);
    if (Array.isArray(peer) && peer.length === 2) {
      this.#peer = peer[0];
      this.#peerPort = peer[1];
    } else {
      this.#peer = peer;
      this.#peerPort = -1;
    }
    this.#sock = typeof sock === "number" ? null : sock;
    this.#like = like;
    this._setFlag(Flag.Buffered, isBuffered(protocol));
    this.#server = options.server ?? null;
    if (
      (like.family === AF_INET || like.family === AF_INET6) &&
      like.type === SOCK_STREAM
    ) {
      try {
        setsockoptInt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      } catch {
        // Not fatal: the connection works without it (asyncio ignores too).
      }
    }
    this.#server?.[_attach](this);
    this[_start](options.waiter ?? null, () => {
      if ((this._flags & (Flag.ReadPaused | Flag.Closing)) === 0) {
        loop.addReader(this._fd, SocketTransport.#readable, this);
      }
    });
  }

  /** Extra info: "socket", "sockname", "peername", ... */
  override getExtraInfo(name: string, defaultValue?: unknown): unknown {
    if (Object.hasOwn(this._extra, name)) return this._extra[name];
    switch (name) {
      case "socket":
        // After _release() the fd is gone: a closed Socket (-1) then.
        return this.#sock ??= Socket[_wrap](
          (this._flags & Flag.Released) !== 0 ? -1 : this._fd,
          this.#like.family,
          this.#like.type,
        );
      case "peername":
        if (this.#peerPort >= 0) {
          this.#peer = [this.#peer as string, this.#peerPort];
          this.#peerPort = -1;
        }
        return this.#peer;
      case "sockname":
        this.#readSockname();
        return this.#sockname;
    }
    return defaultValue;
  }

  #readSockname(): void {
    // Read while the fd is ours: _release() reads it before closing.
    if (this.#sockname === NOT_READ) {
      this.#sockname = addressOf(getsockname, this._fd);
    }
  }

  /** Hand the transport to another protocol (plain or buffered). */
  override setProtocol(protocol: BaseProtocol): void {
    this._setFlag(Flag.Buffered, isBuffered(protocol));
    super.setProtocol(protocol);
  }

  // ---- reading ------------------------------------------------------------

  #readReady(): void {
    if (this._connLost !== 0) return;
    if ((this._flags & Flag.Buffered) !== 0) {
      this.#readIntoProtocol();
      return;
    }
    const buf = receiveTarget(READ_SIZE);
    const n = this.#recv(buf, receiveTargetLen());
    if (n <= 0) return;
    const data = keepTarget(n);
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
    // Protocols mostly hand out the same buffer: reuse its size's bigint
    // (the length is compared too: a view of a resizable buffer can shrink).
    if (buf !== lastBuf || buf.length !== lastSize) {
      lastBuf = buf;
      lastSize = buf.length;
      lastLen = BigInt(lastSize);
    }
    const n = this.#recv(buf, lastLen);
    if (n <= 0) return;
    try {
      p.bufferUpdated(n);
    } catch (err) {
      this._fatalError(
        err,
        "Fatal error: protocol.bufferUpdated() call failed",
      );
    }
  }

  /**
   * One recv into `buf`: the byte count, or 0 when there is nothing to
   * deliver (EAGAIN; or EOF and errors, handled here).
   */
  #recv(buf: Uint8Array, len: bigint): number {
    let n: number;
    try {
      n = recvOrAgain(this._fd, buf, len);
    } catch (err) {
      this._fatalError(err, "Fatal read error on socket transport");
      return 0;
    }
    if (n === 0) this.#readEof();
    return n < 0 ? 0 : n;
  }

  #readEof(): void {
    let keepOpen: boolean | void;
    try {
      keepOpen = (this._protocol as Protocol).eofReceived?.();
    } catch (err) {
      this._fatalError(err, "Fatal error: protocol.eofReceived() call failed");
      return;
    }
    if (keepOpen === true) this[_loop].removeReader(this._fd);
    else this.close();
  }

  /** Whether `dataReceived` is being called (not paused, not closing). */
  isReading(): boolean {
    return (this._flags & (Flag.ReadPaused | Flag.Closing)) === 0;
  }

  /** Stop reading until `resumeReading()`. No-op when closing or paused. */
  pauseReading(): void {
    if ((this._flags & (Flag.Closing | Flag.ReadPaused)) !== 0) return;
    this._flags |= Flag.ReadPaused;
    this[_loop].removeReader(this._fd);
  }

  /** Resume reading. No-op when closing or not paused. */
  resumeReading(): void {
    if (this._closing || (this._flags & Flag.ReadPaused) === 0) return;
    this._flags &= ~Flag.ReadPaused;
    this[_loop].addReader(this._fd, SocketTransport.#readable, this);
  }

  // ---- writing (the rest is FdWriteTransport's) ---------------------------

  protected _send(data: Uint8Array): number {
    return sendOrAgain(this._fd, data);
  }

  protected get _writeErrorMessage(): string {
    return "Fatal write error on socket transport";
  }

  protected _backlogSent(): void {
    if (this._closing) this._scheduleConnectionLost(null);
    else this.#shutdownWrite();
  }

  #shutdownWrite(): void {
    try {
      shutdown(this._fd, SHUT_WR);
    } catch (err) {
      this._fatalError(err, "Fatal error: shutdown() failed");
    }
  }

  /** Close the write side once the backlog is sent. */
  writeEof(): void {
    if (this._closing || this._eof) return;
    this._eof = true;
    if (this.getWriteBufferSize() === 0) this.#shutdownWrite();
  }

  // ---- closing ------------------------------------------------------------

  /** Flush the backlog, then close; `connectionLost(null)` follows. */
  close(): void {
    if (this._closing) return;
    this._closing = true;
    this[_loop].removeReader(this._fd);
    if (this.getWriteBufferSize() === 0) this._scheduleConnectionLost(null);
  }

  protected _forceClose(exc: Error | null): void {
    if (this._connLost !== 0) return;
    if (exc !== null) this._lostByError = true;
    this._dropBacklog();
    if (!this._closing) {
      this._closing = true;
      this[_loop].removeReader(this._fd);
    }
    this._scheduleConnectionLost(exc);
  }

  protected [_release](): void {
    this._stopWriting();
    this[_loop].removeReader(this._fd);
    this.#readSockname();
    if ((this._flags & Flag.Released) === 0) {
      // Once only: the fd's number may be reused as soon as it is closed.
      this._setFlag(Flag.Released, true);
      if (this.#sock !== null) this.#sock.close();
      else closeQuietly(this._fd);
    }
    this.#server?.[_detach](this);
  }

  /** For the console. */
  override toString(): string {
    const state = this._connLost !== 0
      ? "closed"
      : this._closing
      ? "closing"
      : "open";
    return `SocketTransport(fd=${this._fd}, ${state}, buffered=${this.getWriteBufferSize()})`;
  }
}

// Extra info not given and not read yet.
const NOT_READ: unique symbol = Symbol("not read");
// The extras of a transport given none beyond its address: shared.
const NO_EXTRA: Record<string, unknown> = Object.freeze({});

/** `get(fd)`, or null if it fails (e.g. ENOTCONN after a reset). */
function addressOf(
  get: (fd: number) => SocketAddress,
  fd: number,
): SocketAddress | null {
  try {
    return get(fd);
  } catch {
    return null;
  }
}

function isBuffered(p: BaseProtocol): boolean {
  return typeof (p as Partial<BufferedProtocol>).getBuffer === "function";
}
