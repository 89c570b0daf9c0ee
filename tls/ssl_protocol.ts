/**
 * `SSLProtocol`: TLS as a layer between any stream transport and an
 * application protocol, as asyncio's `sslproto.SSLProtocol` behaves. It is a
 * protocol to the transport below and gives the application an
 * {@linkcode SSLTransport} above; it does no I/O of its own: records go
 * through an {@linkcode SSLObject}'s memory BIOs.
 *
 * States: unwrapped -> handshaking -> wrapped -> flushing -> shutdown ->
 * unwrapped. A handshake that takes longer than `sslHandshakeTimeout`
 * aborts the connection (`ConnectionAbortedError`); `close()` sends
 * `close_notify` and waits up to `sslShutdownTimeout` for the peer's; a
 * peer's `close_notify` reaches the application as `eofReceived()`.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { HandleLike, LoopLike } from "../futures/_loop.ts";
import type {
  BaseProtocol,
  BufferedProtocol,
  Protocol,
  Transport,
} from "../net/types.ts";
import {
  ConnectionAbortedError,
  ConnectionResetError,
  errnoOf,
  OSError,
  TimeoutError,
} from "../poll/errors.ts";
import { SSLTransport } from "./_app_transport.ts";
import { writeLimits } from "./_write_limits.ts";
import type { SSLContext } from "./context.ts";
import {
  SSLCertVerificationError,
  type SSLError,
  SSLWantReadError,
} from "./errors.ts";
import { MemoryBIO } from "./memory_bio.ts";
import { readBuffered, readCopied } from "./_ssl_read.ts";
import type { PeerCertificate, SSLObject } from "./ssl_object.ts";
import * as tlsKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _abort: typeof tlsKeys._abort = tlsKeys._abort;
const _appProtocol: typeof tlsKeys._appProtocol = tlsKeys._appProtocol;
const _closed: typeof tlsKeys._closed = tlsKeys._closed;
const _drain: typeof tlsKeys._drain = tlsKeys._drain;
const _getExtraInfo: typeof tlsKeys._getExtraInfo = tlsKeys._getExtraInfo;
const _getWriteBufferLimits: typeof tlsKeys._getWriteBufferLimits =
  tlsKeys._getWriteBufferLimits;
const _getWriteBufferSize: typeof tlsKeys._getWriteBufferSize =
  tlsKeys._getWriteBufferSize;
const _handshakeStep: typeof tlsKeys._handshakeStep = tlsKeys._handshakeStep;
const _isReading: typeof tlsKeys._isReading = tlsKeys._isReading;
const _pauseReading: typeof tlsKeys._pauseReading = tlsKeys._pauseReading;
const _resumeReading: typeof tlsKeys._resumeReading = tlsKeys._resumeReading;
const _setAppProtocol: typeof tlsKeys._setAppProtocol = tlsKeys._setAppProtocol;
const _setWriteBufferLimits: typeof tlsKeys._setWriteBufferLimits =
  tlsKeys._setWriteBufferLimits;
const _startShutdown: typeof tlsKeys._startShutdown = tlsKeys._startShutdown;
const _unwrapStep: typeof tlsKeys._unwrapStep = tlsKeys._unwrapStep;
const _writeAppdata: typeof tlsKeys._writeAppdata = tlsKeys._writeAppdata;
const _writeFrom: typeof tlsKeys._writeFrom = tlsKeys._writeFrom;

// Records are received into one buffer shared by every connection and
// copied into the connection's incoming BIO at once (JS is one thread): the
// transport below then makes no copy of its own to hand us (a new
// ArrayBuffer per read for a plain Protocol).
const RECV_SIZE = 256 * 1024;
let recvBuf: Uint8Array | null = null;

const UNWRAPPED = 0;
const DO_HANDSHAKE = 1;
const WRAPPED = 2;
const FLUSHING = 3;
const SHUTDOWN = 4;

const APP_INIT = 0;
const APP_CON_MADE = 1;
const APP_EOF = 2;
const APP_CON_LOST = 3;

/** asyncio's defaults (`constants.SSL_HANDSHAKE_TIMEOUT`, `SSL_SHUTDOWN_TIMEOUT`). */
const HANDSHAKE_TIMEOUT = 60;
const SHUTDOWN_TIMEOUT = 30;

/** Options of {@linkcode SSLProtocol}. */
export interface SSLProtocolOptions {
  /** Be the TLS server (default false). */
  serverSide?: boolean;
  /** The name to send as SNI and to check the certificate against. */
  serverHostname?: string | null;
  /** Seconds the handshake may take (default 60). */
  sslHandshakeTimeout?: number;
  /** Seconds to wait for the peer's `close_notify` (default 30). */
  sslShutdownTimeout?: number;
  /**
   * Call the app's `connectionMade` after the handshake (default true;
   * false for `startTls`, whose protocol is already connected).
   */
  callConnectionMade?: boolean;
}

function positive(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v > 0)) {
    throw new RangeError(
      `Cannot use ${what} ${v}: it must be a positive number of seconds`,
    );
  }
  return v;
}

/**
 * The SSL protocol (asyncio's `sslproto.SSLProtocol`): give it to a
 * transport as its protocol; the application protocol receives the
 * decrypted stream through {@linkcode SSLProtocol.appTransport}. `waiter`
 * resolves when the handshake completes, or fails with its error.
 *
 * @example TLS layered by hand over a plain TCP transport (what the `ssl`
 * option of `createConnection` does)
 * ```ts
 * import {
 *   createConnection, createServer, getRunningLoop, PROTOCOL_TLS_CLIENT,
 *   PROTOCOL_TLS_SERVER, type Protocol, run, SSLContext, SSLProtocol, type Transport,
 * } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const dir = "tests/tls/fixtures/";
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   using sctx = new SSLContext(PROTOCOL_TLS_SERVER);
 *   sctx.loadCertChain(dir + "server.pem", dir + "server.key");
 *   using cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
 *   cctx.loadVerifyLocations({ cafile: dir + "ca.pem" });
 *   const server = yield* createServer(loop, () => {
 *     let t: Transport;
 *     return { connectionMade: (tr: Transport) => (t = tr), dataReceived: (d: Uint8Array) => t.write(d) };
 *   }, "127.0.0.1", 0, { ssl: sctx });
 *   const [, port] = server.sockets[0].getsockname() as [string, number];
 *   const echoed = loop.createFuture<string>();
 *   const app: Protocol = { dataReceived: (d) => echoed.setResult(new TextDecoder().decode(d)) };
 *   const handshake = loop.createFuture();
 *   const ssl = new SSLProtocol(loop, app, cctx, handshake, { serverHostname: "localhost" });
 *   yield* createConnection(loop, () => ssl, "127.0.0.1", port);
 *   yield* handshake;
 *   ssl.appTransport.write(new TextEncoder().encode("ping"));
 *   assert.equal(yield* echoed, "ping");
 *   ssl.appTransport.close();
 *   server.close();
 *   server.closeClients();
 *   yield* server.waitClosed();
 * });
 * ```
 */
export class SSLProtocol implements Protocol, BufferedProtocol {
  #loop: LoopLike;
  #app!: BaseProtocol;
  #appBuffered = false;
  #context: SSLContext;
  #waiter: Future<unknown> | null;
  #serverSide: boolean;
  #hostname: string | null;
  #hsTimeout: number;
  #sdTimeout: number;
  #callConnectionMade: boolean;

  #incoming: MemoryBIO;
  #outgoing: MemoryBIO;
  #sslobj: SSLObject | null;
  #transport: Transport | null = null;
  #appTransport: SSLTransport | null = null;
  #state = UNWRAPPED;
  #appState = APP_INIT;
  #backlog: Uint8Array[] = [];
  #backlogSize = 0;
  #sslWritingPaused = false;
  #appWritingPaused = false;
  #appReadingPaused = false;
  #high = 64 * 1024;
  #low = 16 * 1024;
  #hsTimer: HandleLike | null = null;
  #sdTimer: HandleLike | null = null;
  #fatal: Error | null = null;
  #reading = false;
  #readAgain = false;
  #lowerEof = false;
  #shutdownDone = false;
  #peercert: PeerCertificate | null = null;
  // Kept from the handshake: still known after the session is freed.
  #cipher: [string, string, number] | null = null;
  #version: string | null = null;
  #alpn: string | null = null;

  /**
   * Create the protocol (the connection starts in `connectionMade`).
   *
   * @throws {RangeError} for a timeout that is not a positive number.
   * @throws {Error} when a client context checks hostnames and
   *   `serverHostname` is missing.
   */
  constructor(
    loop: LoopLike,
    appProtocol: BaseProtocol,
    context: SSLContext,
    waiter: Future<unknown> | null,
    options: SSLProtocolOptions = {},
  ) {
    this.#hsTimeout = positive(
      options.sslHandshakeTimeout,
      HANDSHAKE_TIMEOUT,
      "sslHandshakeTimeout",
    );
    this.#sdTimeout = positive(
      options.sslShutdownTimeout,
      SHUTDOWN_TIMEOUT,
      "sslShutdownTimeout",
    );
    this.#loop = loop;
    this.#context = context;
    this.#waiter = waiter;
    this.#serverSide = options.serverSide ?? false;
    this.#hostname = options.serverHostname ?? null;
    this.#callConnectionMade = options.callConnectionMade ?? true;
    this[_setAppProtocol](appProtocol);
    this.#incoming = new MemoryBIO();
    this.#outgoing = new MemoryBIO();
    try {
      this.#sslobj = context.wrapBio(this.#incoming, this.#outgoing, {
        serverSide: this.#serverSide,
        serverHostname: this.#hostname,
      });
    } catch (err) {
      this.#incoming.free();
      this.#outgoing.free();
      throw err;
    }
  }

  /** The transport the application uses. */
  get appTransport(): Transport {
    return this.#appTransport ??= new SSLTransport(this);
  }

  // ---- the protocol face, called by the transport below

  /** The transport below is connected: start the handshake. */
  connectionMade(transport: Transport): void {
    this.#transport = transport;
    this.#state = DO_HANDSHAKE;
    this.#hsTimer = this.#loop.callLater(
      this.#hsTimeout,
      () => this.#checkHandshakeTimeout(),
    );
    this.#doHandshake();
  }

  /** Records from the peer (from a transport that copies them for us). */
  dataReceived(data: Uint8Array): void {
    if (this.#sslobj === null || this.#state === UNWRAPPED) return;
    this.#incoming.write(data);
    this.#recordsIn();
  }

  /**
   * Where the transport below receives records: a buffer shared by every
   * connection, emptied by {@linkcode SSLProtocol.bufferUpdated}. A
   * transport must report what it received (`bufferUpdated`) before it
   * asks any protocol for a buffer again, as the readiness transports do
   * (recv, then `bufferUpdated`, in one call); a completion-based transport
   * must not keep it across a submission.
   */
  getBuffer(_sizeHint: number): Uint8Array {
    return recvBuf ??= new Uint8Array(RECV_SIZE);
  }

  /** `n` bytes of records were received into the buffer. */
  bufferUpdated(n: number): void {
    if (this.#sslobj === null || this.#state === UNWRAPPED) return;
    this.#incoming[_writeFrom](recvBuf!, n);
    this.#recordsIn();
  }

  #recordsIn(): void {
    switch (this.#state) {
      case DO_HANDSHAKE:
        return this.#doHandshake();
      case WRAPPED:
        return this.#doRead();
      case FLUSHING:
        return this.#doFlush();
      case SHUTDOWN:
        return this.#doShutdown();
    }
  }

  /** The peer closed its side of the transport below (no more records). */
  eofReceived(): boolean {
    this.#lowerEof = true;
    try {
      switch (this.#state) {
        case DO_HANDSHAKE:
          this.#onHandshakeComplete(
            new ConnectionResetError(
              errnoOf("ECONNRESET"),
              "Connection lost during the SSL handshake",
            ),
          );
          break;
        case WRAPPED:
          this.#state = FLUSHING;
          if (this.#appReadingPaused) return true;
          this.#doFlush();
          break;
        case FLUSHING:
          this.#doWrite();
          this.#state = SHUTDOWN;
          this.#doShutdown();
          break;
        case SHUTDOWN:
          this.#doShutdown();
          break;
      }
    } catch (err) {
      this.#transport?.close();
      throw err;
    }
    return false;
  }

  /** The transport below is closed. */
  connectionLost(exc: Error | null): void {
    this.#backlog = [];
    this.#backlogSize = 0;
    this.#outgoing[_drain](() => {});
    if (this.#appTransport !== null) this.#appTransport[_closed] = true;
    const reason = exc ?? this.#fatal;
    if (
      this.#state !== DO_HANDSHAKE &&
      (this.#appState === APP_CON_MADE || this.#appState === APP_EOF)
    ) {
      this.#appState = APP_CON_LOST;
      const app = this.#app;
      this.#loop.callSoon(() => app.connectionLost?.(reason));
    }
    this.#state = UNWRAPPED;
    this.#transport = null;
    this.#hsTimer?.cancel();
    this.#sdTimer?.cancel();
    // A waiter still pending means the handshake never completed (the
    // error is made only then: most connections end with no waiter).
    if (this.#waiter !== null && !this.#waiter.done()) {
      this.#wakeupWaiter(
        reason ?? new ConnectionResetError(
          errnoOf("ECONNRESET"),
          "Connection lost during the SSL handshake",
        ),
      );
    }
    // Freed now, deterministically: what the app may still ask for (peer
    // certificate, cipher, version, ALPN) was kept at the handshake.
    this.#free();
  }

  /** The transport below is over its high water mark. */
  pauseWriting(): void {
    this.#sslWritingPaused = true;
  }

  /** The transport below drained. */
  resumeWriting(): void {
    this.#sslWritingPaused = false;
    this.#processOutgoing();
  }

  // ---- the owner face, called by the app transport

  /**
   * @internal
   * @ignore
   */
  [_getExtraInfo](name: string, defaultValue?: unknown): unknown {
    switch (name) {
      case "sslObject":
      case "ssl_object":
        return this.#sslobj;
      case "sslcontext":
        return this.#context;
      case "peercert":
        return this.#peercert;
      case "cipher":
        return this.#cipher;
      case "compression":
        return null;
      case "alpnProtocol":
        return this.#alpn;
      case "version":
        return this.#version;
    }
    return this.#transport === null
      ? defaultValue
      : this.#transport.getExtraInfo(name, defaultValue);
  }

  /**
   * @internal
   * @ignore
   */
  [_appProtocol](): BaseProtocol {
    return this.#app;
  }

  /**
   * @internal
   * @ignore
   */
  [_setAppProtocol](p: BaseProtocol): void {
    this.#app = p;
    this.#appBuffered = typeof (p as BufferedProtocol).getBuffer === "function";
  }

  /**
   * @internal
   * @ignore
   */
  [_isReading](): boolean {
    return !this.#appReadingPaused;
  }

  /**
   * @internal
   * @ignore
   */
  [_pauseReading](): void {
    if (this.#appReadingPaused) return;
    this.#appReadingPaused = true;
    this.#transport?.pauseReading();
  }

  /**
   * @internal
   * @ignore
   */
  [_resumeReading](): void {
    if (!this.#appReadingPaused) return;
    this.#appReadingPaused = false;
    this.#transport?.resumeReading();
    this.#loop.callSoon(() => {
      if (this.#state === FLUSHING && this.#lowerEof) this.#doFlush();
      else this.#doRead();
    });
  }

  /**
   * @internal
   * @ignore
   */
  [_setWriteBufferLimits](high?: number, low?: number): void {
    [this.#high, this.#low] = writeLimits(high, low);
    this.#controlAppWriting();
  }

  /**
   * @internal
   * @ignore
   */
  [_getWriteBufferLimits](): [number, number] {
    return [this.#low, this.#high];
  }

  /**
   * @internal
   * @ignore
   */
  [_getWriteBufferSize](): number {
    return this.#backlogSize +
      (this.#sslWritingPaused ? this.#outgoing.pending : 0);
  }

  /**
   * @internal
   * @ignore
   */
  [_writeAppdata](list: Uint8Array[]): void {
    if (
      this.#state === FLUSHING || this.#state === SHUTDOWN ||
      this.#state === UNWRAPPED
    ) {
      return; // asyncio drops writes after close, as here
    }
    for (const data of list) {
      if (this.#state === WRAPPED && this.#backlog.length === 0) {
        const rest = this.#encrypt(data);
        if (rest === null) continue;
        this.#backlog.push(rest.slice());
        this.#backlogSize += rest.length;
      } else {
        this.#backlog.push(data.slice());
        this.#backlogSize += data.length;
      }
    }
    this.#processOutgoing();
  }

  /**
   * @internal
   * @ignore
   */
  [_startShutdown](): void {
    if (
      this.#state === FLUSHING || this.#state === SHUTDOWN ||
      this.#state === UNWRAPPED
    ) {
      return;
    }
    if (this.#appTransport !== null) this.#appTransport[_closed] = true;
    if (this.#state === DO_HANDSHAKE) {
      this[_abort]();
      return;
    }
    this.#state = FLUSHING;
    this.#sdTimer = this.#loop.callLater(
      this.#sdTimeout,
      () => this.#checkShutdownTimeout(),
    );
    this.#doFlush();
  }

  /**
   * @internal
   * @ignore
   */
  [_abort](): void {
    this.#state = UNWRAPPED;
    this.#transport?.abort();
  }

  // ---- the state machine

  #doHandshake(): void {
    try {
      if (!this.#sslobj![_handshakeStep]()) {
        this.#processOutgoing();
        return;
      }
    } catch (err) {
      this.#onHandshakeComplete(err as Error);
      return;
    }
    this.#onHandshakeComplete(null);
  }

  #onHandshakeComplete(exc: Error | null): void {
    this.#hsTimer?.cancel();
    this.#hsTimer = null;
    if (exc !== null) {
      this.#state = UNWRAPPED;
      // Send our alert (e.g. "unknown ca") so the peer learns why.
      this.#processOutgoing();
      const message = exc instanceof SSLCertVerificationError
        ? "SSL handshake failed on verifying the certificate"
        : "SSL handshake failed";
      this.#fatalError(exc, message, true);
      return;
    }
    const obj = this.#sslobj!;
    this.#peercert = obj.getpeercert();
    this.#cipher = obj.cipher();
    this.#version = obj.version();
    this.#alpn = obj.selectedAlpnProtocol();
    this.#state = WRAPPED;
    if (this.#callConnectionMade) {
      this.#appState = APP_CON_MADE;
      this.#app.connectionMade?.(this.appTransport);
    } else {
      this.#appState = APP_CON_MADE;
    }
    this.#wakeupWaiter(null);
    this.#doRead();
  }

  #doRead(): void {
    if (this.#state !== WRAPPED && this.#state !== FLUSHING) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = true;
    try {
      do {
        this.#readAgain = false;
        if (this.#appReadingPaused) break;
        const obj = this.#sslobj!;
        const eof = this.#appBuffered
          ? readBuffered(
            obj,
            this.#app as BufferedProtocol,
            () => this.#keepReading(),
          )
          : readCopied(obj, this.#app as Protocol);
        if (eof) {
          this.#callEofReceived();
          this[_startShutdown]();
          break;
        }
      } while (this.#readAgain);
      if (this.#backlog.length > 0) this.#doWrite();
      else this.#processOutgoing();
    } catch (err) {
      this.#fatalError(err as Error, "Fatal error on SSL protocol");
    } finally {
      this.#reading = false;
    }
  }

  #keepReading(): boolean {
    return !this.#appReadingPaused && this.#state !== UNWRAPPED;
  }

  #callEofReceived(): void {
    if (this.#appState !== APP_CON_MADE) return;
    this.#appState = APP_EOF;
    // Returning true (keep open) has no meaning over TLS, as in asyncio.
    (this.#app as Protocol).eofReceived?.();
  }

  /** Encrypt `data`; the part not consumed (a handshake is pending), or null. */
  #encrypt(data: Uint8Array): Uint8Array | null {
    const obj = this.#sslobj!;
    let off = 0;
    try {
      while (off < data.length) {
        off += obj.write(off === 0 ? data : data.subarray(off));
      }
    } catch (err) {
      if (err instanceof SSLWantReadError) return data.subarray(off);
      throw err;
    }
    return null;
  }

  #doWrite(): void {
    try {
      while (this.#backlog.length > 0) {
        const head = this.#backlog[0];
        const rest = this.#encrypt(head);
        if (rest !== null) {
          this.#backlogSize -= head.length - rest.length;
          this.#backlog[0] = rest;
          break;
        }
        this.#backlog.shift();
        this.#backlogSize -= head.length;
      }
      this.#processOutgoing();
    } catch (err) {
      this.#fatalError(err as Error, "Fatal error on SSL protocol");
    }
  }

  #processOutgoing(): void {
    const t = this.#transport;
    if (!this.#sslWritingPaused && t !== null) {
      // The transport copies or sends before returning (its contract), so a
      // view of the shared scratch buffer is enough.
      this.#outgoing[_drain]((chunk) => {
        t.write(chunk);
        return !this.#sslWritingPaused;
      });
    }
    this.#controlAppWriting();
  }

  #controlAppWriting(): void {
    const size = this[_getWriteBufferSize]();
    if (size >= this.#high && !this.#appWritingPaused) {
      this.#appWritingPaused = true;
      this.#callApp("pauseWriting");
    } else if (size <= this.#low && this.#appWritingPaused) {
      this.#appWritingPaused = false;
      this.#callApp("resumeWriting");
    }
  }

  #callApp(name: "pauseWriting" | "resumeWriting"): void {
    try {
      this.#app[name]?.();
    } catch (err) {
      this.#loop.callExceptionHandler({
        message: `protocol.${name}() failed`,
        exception: err,
        transport: this.#appTransport,
        protocol: this,
      });
    }
  }

  #doFlush(): void {
    this.#doRead();
    this.#doWrite();
    if (this.#state !== FLUSHING) return;
    this.#state = SHUTDOWN;
    this.#doShutdown();
  }

  #doShutdown(): void {
    if (this.#shutdownDone || this.#sslobj === null) return;
    try {
      if (!this.#sslobj[_unwrapStep]()) {
        this.#processOutgoing();
        return;
      }
    } catch (err) {
      // The peer was still sending when we closed: our close_notify is out,
      // and what it sends after it is of no use to an app that closed.
      if ((err as SSLError).reason === "APPLICATION_DATA_AFTER_CLOSE_NOTIFY") {
        this.#processOutgoing();
        this.#onShutdownComplete(null);
        return;
      }
      this.#onShutdownComplete(err as Error);
      return;
    }
    this.#processOutgoing();
    this.#callEofReceived();
    this.#onShutdownComplete(null);
  }

  #onShutdownComplete(exc: Error | null): void {
    this.#shutdownDone = true;
    this.#sdTimer?.cancel();
    this.#sdTimer = null;
    if (exc !== null) {
      this.#fatalError(exc, "Error occurred during shutdown");
      return;
    }
    const t = this.#transport;
    if (t !== null) this.#loop.callSoon(() => t.close());
  }

  #checkHandshakeTimeout(): void {
    if (this.#state !== DO_HANDSHAKE) return;
    const msg =
      `SSL handshake is taking longer than ${this.#hsTimeout} seconds: aborting the connection`;
    this.#fatalError(
      new ConnectionAbortedError(errnoOf("ECONNABORTED"), msg),
      msg,
    );
  }

  #checkShutdownTimeout(): void {
    if (this.#state !== FLUSHING && this.#state !== SHUTDOWN) return;
    this.#fatalError(
      new TimeoutError("SSL shutdown timed out"),
      "SSL shutdown timed out",
    );
  }

  /**
   * Report `exc` (through the exception handler unless it is an OSError, as asyncio)
   * and end the connection: `graceful` closes after sending what is queued
   * (a handshake alert), otherwise aborts.
   */
  #fatalError(exc: Error, message: string, graceful = false): void {
    this.#fatal ??= exc;
    const t = this.#transport;
    if (this.#state === DO_HANDSHAKE || graceful) this.#wakeupWaiter(exc);
    this.#state = UNWRAPPED;
    if (t !== null) {
      if (graceful) t.close();
      else t.abort();
    }
    if (!(exc instanceof OSError)) {
      this.#loop.callExceptionHandler({
        message,
        exception: exc,
        transport: t,
        protocol: this,
      });
    }
  }

  #wakeupWaiter(exc: Error | null): void {
    const w = this.#waiter;
    if (w === null) return;
    this.#waiter = null;
    if (w.done()) return;
    if (exc !== null) w.setException(exc);
    else w.setResult(undefined);
  }

  #free(): void {
    this.#sslobj?.free();
    this.#incoming.free();
    this.#outgoing.free();
  }
}
