/**
 * Pipe transports: `ReadPipeTransport` over the read end of a pipe (or any
 * readable fd: a FIFO, a character device, a socket) and `WritePipeTransport`
 * over a write end, asyncio's `_UnixReadPipeTransport` and
 * `_UnixWritePipeTransport`; `connectReadPipe`/`connectWritePipe` build
 * them. Subprocess stdio is made of these.
 *
 * The transport owns the fd: it is made non-blocking and closed after
 * `connectionLost`.
 *
 * One difference from asyncio, for a JS reason (as the socket transport):
 * `write()` after the user called `close()`/`writeEof()`/`abort()` throws
 * instead of dropping the data silently; after the reader went away
 * (`BrokenPipeError`) writes are dropped as in asyncio and the protocol's
 * `connectionLost(exc)` says why. A write pipe whose reader goes away
 * reports `BrokenPipeError` to `connectionLost` even when nothing was
 * buffered (asyncio passes null then), so `drain()` can say why.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import {
  checkOpenFd,
  close as closeFd,
  readOrAgain,
  setBlocking,
  writeOrAgain,
} from "../poll/fd.ts";
import { BrokenPipeError, errnoOf, OSError } from "../poll/errors.ts";
import { fileno } from "../poll/fileno.ts";
import type { FileObject } from "../poll/types.ts";
import type { NetLoop } from "./_loop.ts";
import { FdTransportBase } from "./_transport_base.ts";
import { FdWriteTransport } from "./_write_transport.ts";
import { keepTarget, receiveTarget } from "./_received.ts";
import { READ_SIZE } from "./stream_transport.ts";
import type {
  BaseProtocol,
  Protocol,
  ReadTransport,
  WriteTransport,
} from "./types.ts";
import * as futureKeys from "../futures/_keys.ts";
import * as netKeys from "./_keys.ts";
import * as tlsKeys from "../tls/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _start: typeof futureKeys._start = futureKeys._start;
const _loop: typeof netKeys._loop = netKeys._loop;
const _release: typeof tlsKeys._release = tlsKeys._release;

const EIO = errnoOf("EIO");

/**
 * Options of the pipe transports.
 * @internal
 */
export interface PipeTransportOptions {
  /** Resolved once `connectionMade` ran. */
  waiter?: Future<void> | null;
  /** More extra info. */
  extra?: Record<string, unknown>;
}

/**
 * A read transport over a non-blocking fd.
 * @internal
 */
export class ReadPipeTransport extends FdTransportBase<Protocol>
  implements ReadTransport {
  readonly #fd: number;
  #paused = false;
  readonly #onReadable = (): void => this.#readReady();

  constructor(
    loop: NetLoop,
    fd: number,
    protocol: Protocol,
    options: PipeTransportOptions = {},
  ) {
    super(loop, protocol, { pipe: fd, ...options.extra });
    this.#fd = fd;
    setBlocking(fd, false);
    this[_start](options.waiter ?? null, () => {
      if (!this.#paused && !this._closing) {
        loop.addReader(fd, this.#onReadable);
      }
    });
  }

  #readReady(): void {
    if (this._connLost !== 0) return;
    const buf = receiveTarget(READ_SIZE);
    let n: number;
    try {
      n = readOrAgain(this.#fd, buf);
    } catch (err) {
      // EIO: the other side of a pty went away; asyncio treats it as EOF.
      if (err instanceof OSError && err.errno === EIO) {
        this._forceClose(null);
      } else this._fatalError(err, "Fatal read error on pipe transport");
      return;
    }
    if (n === -1) return;
    if (n === 0) {
      this._closing = true;
      this[_loop].removeReader(this.#fd);
      this[_loop].callSoon(() => {
        try {
          this._protocol.eofReceived?.();
        } catch (err) {
          this._report("protocol.eofReceived() failed", err);
        }
      });
      this._scheduleConnectionLost(null);
      return;
    }
    try {
      this._protocol.dataReceived(keepTarget(n));
    } catch (err) {
      this._fatalError(err, "Fatal error: protocol.dataReceived() call failed");
    }
  }

  /** Whether data is being delivered (not paused, not closing). */
  isReading(): boolean {
    return !this.#paused && !this._closing;
  }

  /** Stop reading until `resumeReading()`. No-op when closing or paused. */
  pauseReading(): void {
    if (this._closing || this.#paused) return;
    this.#paused = true;
    this[_loop].removeReader(this.#fd);
  }

  /** Resume reading. No-op when closing or not paused. */
  resumeReading(): void {
    if (this._closing || !this.#paused) return;
    this.#paused = false;
    this[_loop].addReader(this.#fd, this.#onReadable);
  }

  /** A read transport buffers nothing for writing. */
  getWriteBufferSize(): number {
    return 0;
  }

  /** Stop reading and close; `connectionLost(null)` follows. */
  close(): void {
    if (!this._closing) this._forceClose(null);
  }

  protected _forceClose(exc: Error | null): void {
    if (this._connLost !== 0) return;
    this._closing = true;
    this[_loop].removeReader(this.#fd);
    this._scheduleConnectionLost(exc);
  }

  protected [_release](): void {
    this[_loop].removeReader(this.#fd);
    closeFd(this.#fd);
  }

  /** For the console. */
  override toString(): string {
    return `ReadPipeTransport(fd=${this.#fd}, ${state(this)})`;
  }
}

/**
 * A write transport over a non-blocking fd.
 * @internal
 */
export class WritePipeTransport extends FdWriteTransport<BaseProtocol>
  implements WriteTransport {
  readonly #onReadable = (): void => this.#peerClosed();

  constructor(
    loop: NetLoop,
    fd: number,
    protocol: BaseProtocol,
    options: PipeTransportOptions = {},
  ) {
    super(loop, fd, protocol, { pipe: fd, ...options.extra });
    setBlocking(fd, false);
    // A write end reports readable (EPOLLERR) once the reader is gone: that
    // is how an idle writer learns the pipe is broken (asyncio does this).
    this[_start](options.waiter ?? null, () => {
      if (this._connLost === 0) loop.addReader(fd, this.#onReadable);
    });
  }

  #peerClosed(): void {
    if (this._connLost !== 0) return;
    // Reported as BrokenPipeError even with nothing buffered (asyncio says
    // None then), so a later drain() says why the pipe is gone.
    this._forceClose(
      new BrokenPipeError(
        errnoOf("EPIPE"),
        "Cannot write to the pipe: its reader has closed it",
      ),
    );
  }

  // ---- writing (the rest is FdWriteTransport's) ---------------------------

  protected _send(data: Uint8Array): number {
    return writeOrAgain(this._fd, data);
  }

  protected get _writeErrorMessage(): string {
    return "Fatal write error on pipe transport";
  }

  protected _backlogSent(): void {
    this.#finish();
  }

  #finish(): void {
    this[_loop].removeReader(this._fd);
    this._scheduleConnectionLost(null);
  }

  /** Close the pipe once the backlog is written (the reader sees EOF). */
  writeEof(): void {
    if (this._closing || this._eof) return;
    this._eof = true;
    this._closing = true;
    if (this.getWriteBufferSize() === 0) this.#finish();
  }

  /** Write the backlog, then close; `connectionLost(null)` follows. */
  close(): void {
    if (this._closing) return;
    this.writeEof();
  }

  protected _forceClose(exc: Error | null): void {
    if (this._connLost !== 0) return;
    if (exc !== null) this._lostByError = true;
    this._dropBacklog();
    this._closing = true;
    this[_loop].removeReader(this._fd);
    this._scheduleConnectionLost(exc);
  }

  protected [_release](): void {
    this._stopWriting();
    this[_loop].removeReader(this._fd);
    closeFd(this._fd);
  }

  /** For the console. */
  override toString(): string {
    return `WritePipeTransport(fd=${this._fd}, ${
      state(this)
    }, buffered=${this.getWriteBufferSize()})`;
  }
}

/**
 * asyncio's `loop.connect_read_pipe`: a read transport over `pipe` (an fd
 * or an object with `fileno()`), driving the protocol `protocolFactory()`
 * makes. The transport owns the fd from then on.
 *
 * @returns A Future of `[transport, protocol]`, once `connectionMade` ran.
 * @throws {OSError} EBADF if `pipe` is not open (the Future fails).
 *
 * @example Reading a pipe
 * ```ts
 * import { connectReadPipe, getRunningLoop, run } from "../mod.ts";
 * import { close, pipe, write } from "../poll/mod.ts";
 * import type { EventLoop, Protocol } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const got = await run(function* () {
 *   const loop = getRunningLoop() as EventLoop;
 *   const [r, w] = pipe();
 *   const chunks: string[] = [];
 *   const done = loop.createFuture<string>();
 *   yield* connectReadPipe(loop, (): Protocol => ({
 *     dataReceived: (d) => chunks.push(new TextDecoder().decode(d)),
 *     connectionLost: () => done.setResult(chunks.join("")),
 *   }), r);
 *   write(w, new TextEncoder().encode("hello"));
 *   close(w);
 *   return yield* done;
 * });
 * assert.equal(got, "hello");
 * ```
 */
export function connectReadPipe<P extends Protocol>(
  loop: NetLoop,
  protocolFactory: () => P,
  pipe: FileObject,
): Future<[ReadTransport, P]> {
  return connectPipe(
    loop,
    protocolFactory,
    pipe,
    "connect a read pipe",
    (fd, p, waiter) => new ReadPipeTransport(loop, fd, p, { waiter }),
  );
}

/**
 * asyncio's `loop.connect_write_pipe`: a write transport over `pipe` (an fd
 * or an object with `fileno()`). The transport owns the fd from then on.
 *
 * @returns A Future of `[transport, protocol]`, once `connectionMade` ran.
 * @throws {OSError} EBADF if `pipe` is not open (the Future fails).
 *
 * @example Writing a pipe
 * ```ts
 * import { connectWritePipe, getRunningLoop, run } from "../mod.ts";
 * import { close, pipe, read } from "../poll/mod.ts";
 * import type { BaseProtocol, EventLoop } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const n = await run(function* () {
 *   const loop = getRunningLoop() as EventLoop;
 *   const [r, w] = pipe();
 *   const [t] = yield* connectWritePipe(loop, (): BaseProtocol => ({}), w);
 *   t.write(new TextEncoder().encode("hey"));
 *   t.close();
 *   const got = read(r, new Uint8Array(8));
 *   close(r);
 *   return got;
 * });
 * assert.equal(n, 3);
 * ```
 */
export function connectWritePipe<P extends BaseProtocol>(
  loop: NetLoop,
  protocolFactory: () => P,
  pipe: FileObject,
): Future<[WriteTransport, P]> {
  return connectPipe(
    loop,
    protocolFactory,
    pipe,
    "connect a write pipe",
    (fd, p, waiter) => new WritePipeTransport(loop, fd, p, { waiter }),
  );
}

function connectPipe<P extends BaseProtocol, T extends FdTransportBase>(
  loop: NetLoop,
  protocolFactory: () => P,
  pipe: FileObject,
  action: string,
  make: (fd: number, p: P, waiter: Future<void>) => T,
): Future<[T, P]> {
  return new Task(function* () {
    if (typeof protocolFactory !== "function") {
      throw new TypeError(
        `Cannot ${action}: protocolFactory must be a function`,
      );
    }
    const fd = fileno(pipe, action);
    checkOpenFd(fd, action);
    const protocol = protocolFactory();
    const waiter = loop.createFuture<void>();
    const transport = make(fd, protocol, waiter);
    try {
      yield* waiter;
    } catch (err) {
      transport.close();
      throw err;
    }
    return [transport, protocol] as [T, P];
  }, { loop });
}

function state(t: FdTransportBase): string {
  return t.isClosing() ? "closing" : "open";
}
