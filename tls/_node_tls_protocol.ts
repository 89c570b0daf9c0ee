/**
 * The `node:tls` fallback of `SSLProtocol`, for where libssl cannot be
 * loaded: the same place between a transport and the app protocol, with a
 * `node:tls` socket over a Duplex in the middle. Records from the
 * transport are pushed into the Duplex; what `node:tls` writes to it goes
 * to the transport; decrypted data goes to the app.
 *
 * The slower path: `node:tls` works in host callbacks, not on our loop.
 * On Deno its decrypted data arrives only after a host macrotask, so while
 * such a connection lives the loop waits in host mode (`_hostRef`), and
 * every event is brought back onto the loop with `callSoonThreadsafe`,
 * which also wakes it. No `SSLObject` exists here (`sslObject` extra info
 * is null), and an `SSLContext.sniCallback` is not called.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { HandleLike, LoopLike } from "../futures/_loop.ts";
import { nodeRequire } from "../poll/_node_require.ts";
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
} from "../poll/errors.ts";
import { SSLTransport } from "./_app_transport.ts";
import { writeLimits } from "./_write_limits.ts";
import { SSLCertVerificationError, SSLError } from "./errors.ts";
import { _nodeSettings, type SSLContext } from "./context.ts";
import type { NodeTlsSocket } from "./_node_settings.ts";
import { nodeTls } from "./_node_settings.ts";
import type { SSLProtocolOptions } from "./ssl_protocol.ts";
import * as tlsKeys from "./_keys.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _abort: typeof tlsKeys._abort = tlsKeys._abort;
const _acquire: typeof tlsKeys._acquire = tlsKeys._acquire;
const _appProtocol: typeof tlsKeys._appProtocol = tlsKeys._appProtocol;
const _closed: typeof tlsKeys._closed = tlsKeys._closed;
const _getExtraInfo: typeof tlsKeys._getExtraInfo = tlsKeys._getExtraInfo;
const _getWriteBufferLimits: typeof tlsKeys._getWriteBufferLimits =
  tlsKeys._getWriteBufferLimits;
const _getWriteBufferSize: typeof tlsKeys._getWriteBufferSize =
  tlsKeys._getWriteBufferSize;
const _isReading: typeof tlsKeys._isReading = tlsKeys._isReading;
const _pauseReading: typeof tlsKeys._pauseReading = tlsKeys._pauseReading;
const _release: typeof tlsKeys._release = tlsKeys._release;
const _resumeReading: typeof tlsKeys._resumeReading = tlsKeys._resumeReading;
const _setAppProtocol: typeof tlsKeys._setAppProtocol = tlsKeys._setAppProtocol;
const _setWriteBufferLimits: typeof tlsKeys._setWriteBufferLimits =
  tlsKeys._setWriteBufferLimits;
const _startShutdown: typeof tlsKeys._startShutdown = tlsKeys._startShutdown;
const _writeAppdata: typeof tlsKeys._writeAppdata = tlsKeys._writeAppdata;
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;

interface DuplexLike {
  push(chunk: Uint8Array | null): boolean;
  destroy(): void;
}

type DuplexClass = new (options: Record<string, unknown>) => DuplexLike;

let Duplex: DuplexClass | null = null;

// node:tls's error codes -> OpenSSL's verify result and its text.
const VERIFY: Readonly<Record<string, [number, string]>> = {
  CERT_NOT_YET_VALID: [9, "certificate is not yet valid"],
  CERT_HAS_EXPIRED: [10, "certificate has expired"],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, "self-signed certificate"],
  SELF_SIGNED_CERT_IN_CHAIN: [
    19,
    "self-signed certificate in certificate chain",
  ],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [
    20,
    "unable to get local issuer certificate",
  ],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [
    21,
    "unable to verify the first certificate",
  ],
  ERR_TLS_CERT_ALTNAME_INVALID: [62, "hostname mismatch"],
};

/** A `node:tls` error as ours: verification failures typed as in Python. */
function sslErrorOf(err: unknown): Error {
  const code = (err as { code?: string }).code ?? "";
  const known = VERIFY[code];
  if (known !== undefined) {
    const e = new SSLCertVerificationError(known[0], known[1]);
    (e as { cause?: unknown }).cause = err;
    return e;
  }
  if (err instanceof SSLError || err instanceof OSError) return err;
  return new SSLError(`SSL error (node:tls): ${(err as Error).message}`, {
    cause: err,
  });
}

/**
 * An SSL protocol over `node:tls` (see the module doc); the same faces as
 * `SSLProtocol`: a protocol to the transport below, `appTransport` above,
 * `waiter` resolved at the end of the handshake.
 * @internal
 */
export class NodeTlsProtocol implements Protocol {
  #loop: LoopLike;
  #app!: BaseProtocol;
  #appBuffered = false;
  #context: SSLContext;
  #waiter: Future<unknown> | null;
  #options: SSLProtocolOptions;
  #transport: Transport | null = null;
  #duplex: DuplexLike | null = null;
  #tls: NodeTlsSocket | null = null;
  #appTransport: SSLTransport | null = null;
  #connected = false;
  #lost = false;
  #hostHeld = false;
  #contextHeld = false;
  #hsTimer: HandleLike | null = null;
  #sdTimer: HandleLike | null = null;
  #readingPaused = false;
  #appPaused = false;
  #high = 64 * 1024;
  #low = 16 * 1024;
  #extra: Record<string, unknown> = {};

  constructor(
    loop: LoopLike,
    appProtocol: BaseProtocol,
    context: SSLContext,
    waiter: Future<unknown> | null,
    options: SSLProtocolOptions = {},
  ) {
    this.#loop = loop;
    this.#context = context;
    this.#waiter = waiter;
    this.#options = options;
    this[_setAppProtocol](appProtocol);
    // Read at connectionMade: the context must outlive a close() meanwhile.
    context[_acquire]();
    this.#contextHeld = true;
  }

  /** The transport the application uses. */
  get appTransport(): Transport {
    return this.#appTransport ??= new SSLTransport(this);
  }

  /** Bring a host event onto the loop (and wake it). */
  #onLoop(fn: () => void): void {
    // node:tls may still emit after the connection (or the loop) ended.
    const loop = this.#loop as LoopLike & {
      callSoonThreadsafe?: (cb: () => void) => unknown;
      isClosed?: () => boolean;
    };
    if (this.#lost || loop.isClosed?.() === true) return;
    if (typeof loop.callSoonThreadsafe === "function") {
      loop.callSoonThreadsafe(fn);
    } else loop.callSoon(fn);
  }

  connectionMade(transport: Transport): void {
    this.#transport = transport;
    this.#loop[_hostRef](1);
    this.#hostHeld = true;
    Duplex ??= (nodeRequire("node:stream") as { Duplex: DuplexClass }).Duplex;
    const duplex = new Duplex({
      read() {},
      write: (
        chunk: Uint8Array,
        _enc: string,
        done: (err?: Error | null) => void,
      ) => {
        const t = this.#transport;
        if (t !== null && !t.isClosing()) t.write(new Uint8Array(chunk));
        done();
      },
      // node:tls ended its side (close_notify written): close below.
      final: (done: () => void) => {
        done();
        this.#onLoop(() => this.#transport?.close());
      },
    });
    this.#duplex = duplex;
    const ctx = this.#context;
    const settings = _nodeSettings(ctx);
    const common = settings.common();
    const tls = nodeTls();
    let socket: NodeTlsSocket;
    if (this.#options.serverSide) {
      socket = new tls.TLSSocket(duplex, {
        ...common,
        isServer: true,
        secureContext: tls.createSecureContext(common),
        requestCert: ctx.verifyMode !== 0,
        rejectUnauthorized: ctx.verifyMode === 2,
      });
      socket.on("secure", () => this.#onLoop(() => this.#handshakeDone()));
    } else {
      const host = this.#options.serverHostname ?? undefined;
      const isIp = host !== undefined &&
        (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":"));
      socket = tls.connect({
        ...common,
        socket: duplex,
        // SNI carries DNS names only (RFC 6066 §3).
        servername: isIp ? undefined : host,
        host,
        rejectUnauthorized: ctx.verifyMode !== 0,
        ...(ctx.checkHostname ? {} : { checkServerIdentity: () => undefined }),
      });
      socket.on(
        "secureConnect",
        () => this.#onLoop(() => this.#handshakeDone()),
      );
    }
    this.#tls = socket;
    socket.on(
      "data",
      (chunk: Uint8Array) =>
        this.#onLoop(() => this.#deliver(new Uint8Array(chunk))),
    );
    socket.on("end", () => this.#onLoop(() => this.#peerClosed()));
    socket.on("error", (err: Error) => this.#onLoop(() => this.#failed(err)));
    socket.on("drain", () => this.#onLoop(() => this.#controlAppWriting()));
    // Our side ended (close_notify handed to the transport): close it, which
    // flushes what is queued first.
    socket.on("finish", () => this.#onLoop(() => this.#transport?.close()));
    const timeout = this.#options.sslHandshakeTimeout ?? 60;
    this.#hsTimer = this.#loop.callLater(timeout, () => {
      if (this.#connected || this.#lost) return;
      const msg =
        `SSL handshake is taking longer than ${timeout} seconds: aborting the connection`;
      this.#failed(new ConnectionAbortedError(errnoOf("ECONNABORTED"), msg));
    });
  }

  dataReceived(data: Uint8Array): void {
    // node:tls keeps the chunk: give it its own copy.
    this.#duplex?.push(data.slice());
  }

  eofReceived(): boolean {
    this.#duplex?.push(null);
    if (!this.#connected) {
      this.#failed(
        new ConnectionResetError(
          errnoOf("ECONNRESET"),
          "Connection lost during the SSL handshake",
        ),
      );
      return false;
    }
    // Keep the transport open: our close_notify may still go out.
    return true;
  }

  connectionLost(exc: Error | null): void {
    this.#lost = true;
    this.#transport = null;
    this.#hsTimer?.cancel();
    this.#sdTimer?.cancel();
    if (this.#appTransport !== null) this.#appTransport[_closed] = true;
    this.#tls?.destroy();
    this.#duplex?.destroy();
    this.#release();
    if (this.#waiter !== null && !this.#waiter.done()) {
      this.#waiter.setException(
        exc ?? new ConnectionResetError(
          errnoOf("ECONNRESET"),
          "Connection lost during the SSL handshake",
        ),
      );
      this.#waiter = null;
    }
    if (this.#connected) {
      this.#connected = false;
      const app = this.#app;
      this.#loop.callSoon(() => app.connectionLost?.(exc));
    }
  }

  pauseWriting(): void {}
  resumeWriting(): void {}

  #release(): void {
    if (this.#contextHeld) {
      this.#contextHeld = false;
      this.#context[_release]();
    }
    if (!this.#hostHeld) return;
    this.#hostHeld = false;
    this.#loop[_hostRef](-1);
  }

  #handshakeDone(): void {
    if (this.#lost || this.#tls === null) return;
    this.#hsTimer?.cancel();
    this.#hsTimer = null;
    const s = this.#tls;
    const cipher = s.getCipher();
    const alpn = s.alpnProtocol;
    const cert = s.getPeerCertificate();
    this.#extra = {
      cipher: cipher ? [cipher.name, cipher.version, null] : null,
      version: s.getProtocol(),
      alpnProtocol: typeof alpn === "string" ? alpn : null,
      peercert: cert && Object.keys(cert).length > 0 ? cert : null,
    };
    this.#connected = true;
    if (this.#options.callConnectionMade ?? true) {
      this.#app.connectionMade?.(this.appTransport);
    }
    const w = this.#waiter;
    this.#waiter = null;
    if (w !== null && !w.done()) w.setResult(undefined);
  }

  #deliver(data: Uint8Array): void {
    if (!this.#connected) return;
    if (!this.#appBuffered) {
      (this.#app as Protocol).dataReceived(data);
      return;
    }
    const app = this.#app as BufferedProtocol;
    let off = 0;
    while (off < data.length) {
      const buf = app.getBuffer(data.length - off);
      const n = Math.min(buf.length, data.length - off);
      if (n === 0) {
        throw new RangeError(
          "Cannot deliver data: getBuffer() returned an empty buffer",
        );
      }
      buf.set(data.subarray(off, off + n));
      app.bufferUpdated(n);
      off += n;
    }
  }

  #peerClosed(): void {
    if (!this.#connected) return;
    (this.#app as Protocol).eofReceived?.();
    this[_startShutdown]();
  }

  #failed(err: Error): void {
    if (this.#lost) return;
    const exc = sslErrorOf(err);
    const w = this.#waiter;
    this.#waiter = null;
    if (w !== null && !w.done()) w.setException(exc);
    if (!(exc instanceof OSError)) {
      this.#loop.callExceptionHandler({
        message: this.#connected
          ? "Fatal error on SSL protocol"
          : "SSL handshake failed",
        exception: exc,
        transport: this.#transport,
        protocol: this,
      });
    }
    this.#transport?.abort();
  }

  #controlAppWriting(): void {
    const app = this.#app;
    const size = this[_getWriteBufferSize]();
    try {
      if (size >= this.#high && !this.#appPaused) {
        this.#appPaused = true;
        app.pauseWriting?.();
      } else if (size <= this.#low && this.#appPaused) {
        this.#appPaused = false;
        app.resumeWriting?.();
      }
    } catch (err) {
      this.#loop.callExceptionHandler({
        message: "protocol.pauseWriting()/resumeWriting() failed",
        exception: err,
        transport: this.#appTransport,
        protocol: this,
      });
    }
  }

  // ---- the owner face, called by the app transport (SSLTransportOwner)

  /** @internal */
  [_getExtraInfo](name: string, defaultValue?: unknown): unknown {
    switch (name) {
      case "sslObject":
      case "ssl_object":
      case "compression":
        return null;
      case "sslcontext":
        return this.#context;
      case "peercert":
      case "cipher":
      case "alpnProtocol":
      case "version":
        return this.#extra[name] ?? null;
    }
    return this.#transport === null
      ? defaultValue
      : this.#transport.getExtraInfo(name, defaultValue);
  }

  /** @internal */
  [_startShutdown](): void {
    const t = this.#transport;
    if (this.#tls === null || t === null || this.#sdTimer !== null) return;
    if (this.#appTransport !== null) this.#appTransport[_closed] = true;
    // end() sends close_notify after what is queued; the transport closes
    // once it is written.
    this.#tls.end();
    const timeout = this.#options.sslShutdownTimeout ?? 30;
    this.#sdTimer = this.#loop.callLater(timeout, () => t.abort());
  }

  /** @internal */
  [_abort](): void {
    this.#transport?.abort();
  }

  /** @internal */
  [_appProtocol](): BaseProtocol {
    return this.#app;
  }

  /** @internal */
  [_setAppProtocol](p: BaseProtocol): void {
    this.#app = p;
    this.#appBuffered = typeof (p as BufferedProtocol).getBuffer === "function";
  }

  /** @internal */
  [_isReading](): boolean {
    return !this.#readingPaused;
  }

  /** @internal */
  [_pauseReading](): void {
    this.#readingPaused = true;
    this.#tls?.pause();
  }

  /** @internal */
  [_resumeReading](): void {
    this.#readingPaused = false;
    this.#tls?.resume();
  }

  /** @internal */
  [_setWriteBufferLimits](high?: number, low?: number): void {
    [this.#high, this.#low] = writeLimits(high, low);
  }

  /** @internal */
  [_getWriteBufferLimits](): [number, number] {
    return [this.#low, this.#high];
  }

  /** @internal */
  [_getWriteBufferSize](): number {
    return this.#tls?.writableLength ?? 0;
  }

  /** @internal */
  [_writeAppdata](list: Uint8Array[]): void {
    const s = this.#tls;
    if (s === null || !this.#connected) return;
    for (const data of list) s.write(data.slice());
    this.#controlAppWriting();
  }
}
