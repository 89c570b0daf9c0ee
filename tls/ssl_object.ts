/**
 * `SSLObject`: one TLS connection as a state machine over two memory BIOs
 * (Python's `ssl.SSLObject`). It does no I/O: records the peer sent are
 * written into `incoming`; records to send are read from `outgoing`.
 *
 * @module
 */

import {
  addressOf,
  addressOfPointer,
  pointerFrom,
  viewAt,
} from "../poll/_pointer.ts";
import {
  _live,
  cbuf,
  cstr,
  libssl,
  type Pointer,
  SSL_ERROR,
} from "./_libssl.ts";
import type { SSLContext } from "./context.ts";
import {
  clearErrors,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  sslErrorFromQueue,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
} from "./errors.ts";
import type { MemoryBIO } from "./memory_bio.ts";
import {
  decodeCertificate,
  derOf,
  type PeerCertificate,
} from "./_certificate.ts";
import * as tlsKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _acquire: typeof tlsKeys._acquire = tlsKeys._acquire;
const _callbackError: typeof tlsKeys._callbackError = tlsKeys._callbackError;
const _handshakeStep: typeof tlsKeys._handshakeStep = tlsKeys._handshakeStep;
const _ptr: typeof tlsKeys._ptr = tlsKeys._ptr;
const _readInto: typeof tlsKeys._readInto = tlsKeys._readInto;
const _release: typeof tlsKeys._release = tlsKeys._release;
const _unwrapStep: typeof tlsKeys._unwrapStep = tlsKeys._unwrapStep;

export type { PeerCertificate } from "./_certificate.ts";

const CTRL_SET_TLSEXT_HOSTNAME = 55;
const X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS = 4;
const CERT_VERIFY_FAILED = 0x86n; // SSL_R_CERTIFICATE_VERIFY_FAILED
const UNEXPECTED_EOF = 294n; // SSL_R_UNEXPECTED_EOF_WHILE_READING

const byPointer = new Map<bigint, WeakRef<SSLObject>>();

/** The SSLObject of a native `SSL *` (for libssl callbacks). @internal */
export function _lookupSslObject(
  ptr: Pointer,
): SSLObject | undefined {
  if (ptr === null) return undefined;
  return byPointer.get(addressOfPointer(ptr))?.deref();
}

const registry = new FinalizationRegistry<Pointer>((ptr) => {
  byPointer.delete(addressOfPointer(ptr));
  libssl().SSL_free(ptr);
  _live.ssl--;
});

/**
 * A TLS connection over memory BIOs (Python's `ssl.SSLObject`); made by
 * `SSLContext.wrapBio()`. Reads and writes throw {@linkcode SSLWantReadError}
 * when more records from the peer are needed.
 *
 * Free it with {@linkcode SSLObject.free} when the connection ends (the SSL
 * protocol does); it is freed at garbage collection otherwise.
 *
 * @example A handshake between two objects in one process
 * ```ts
 * import { MemoryBIO, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext, SSLWantReadError } from "./mod.ts";
 * import assert from "node:assert/strict";
 * using server = new SSLContext(PROTOCOL_TLS_SERVER);
 * server.loadCertChain("tests/tls/fixtures/server.pem", "tests/tls/fixtures/server.key");
 * using client = new SSLContext(PROTOCOL_TLS_CLIENT);
 * client.loadVerifyLocations({ cafile: "tests/tls/fixtures/ca.pem" });
 * const [ci, co, si, so] = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
 * const c = client.wrapBio(ci, co, { serverHostname: "localhost" });
 * const s = server.wrapBio(si, so, { serverSide: true });
 * const step = (o: typeof c) => { try { o.doHandshake(); return true; } catch (e) { if (e instanceof SSLWantReadError) return false; throw e; } };
 * let done = [false, false];
 * while (!done[0] || !done[1]) {
 *   done = [step(c), done[1]];
 *   si.write(co.read());
 *   done = [done[0], step(s)];
 *   ci.write(so.read());
 * }
 * assert.equal(c.version(), "TLSv1.3");
 * c.write(new TextEncoder().encode("hi"));
 * si.write(co.read());
 * assert.equal(new TextDecoder().decode(s.read()), "hi");
 * for (const x of [c, s]) x.free();
 * for (const b of [ci, co, si, so]) b.free();
 * ```
 */
export class SSLObject {
  #ptr: Pointer | null;
  #context: SSLContext;
  #contexts: SSLContext[] = [];
  #handshakeDone = false;
  /** Whether this is the server side. */
  readonly serverSide: boolean;
  /** The server name the client asked for (client side), or null. */
  readonly serverHostname: string | null;
  /**
   * An error thrown by a callback during the handshake. @internal
   * @ignore
   */
  [_callbackError]: unknown = undefined;

  /** Use `SSLContext.wrapBio()`. @internal */
  constructor(
    context: SSLContext,
    incoming: MemoryBIO,
    outgoing: MemoryBIO,
    serverSide: boolean,
    serverHostname: string | null,
  ) {
    const s = libssl();
    clearErrors();
    const ptr = s.SSL_new(context[_ptr] as Pointer);
    if (ptr === null) throw sslErrorFromQueue("SSL_new");
    _live.ssl++;
    this.#ptr = ptr;
    this.#context = context;
    this.serverSide = serverSide;
    this.serverHostname = serverHostname;
    try {
      if (serverHostname !== null && !serverSide) {
        setHostname(ptr, serverHostname, context.checkHostname);
      }
    } catch (err) {
      s.SSL_free(ptr);
      _live.ssl--;
      throw err;
    }
    // SSL_set_bio takes over one reference of each BIO: give it its own.
    s.BIO_up_ref(incoming[_ptr] as Pointer);
    s.BIO_up_ref(outgoing[_ptr] as Pointer);
    s.SSL_set_bio(ptr, incoming[_ptr] as Pointer, outgoing[_ptr] as Pointer);
    if (serverSide) s.SSL_set_accept_state(ptr);
    else s.SSL_set_connect_state(ptr);
    context[_acquire]();
    this.#contexts.push(context);
    byPointer.set(addressOfPointer(ptr), new WeakRef(this));
    registry.register(this, ptr, this);
  }

  /** The context; a server's SNI callback may set another one. */
  get context(): SSLContext {
    return this.#context;
  }
  set context(ctx: SSLContext) {
    const ptr = this.#need("set the context");
    ctx[_acquire]();
    this.#contexts.push(ctx);
    libssl().SSL_set_SSL_CTX(ptr, ctx[_ptr] as Pointer);
    this.#context = ctx;
  }

  /**
   * Advance the handshake.
   *
   * @throws {SSLWantReadError} until the peer's records complete it.
   * @throws {SSLCertVerificationError} when the peer's certificate fails.
   * @throws {SSLError} for any other failure.
   */
  doHandshake(): void {
    if (!this[_handshakeStep]()) throw new SSLWantReadError();
  }

  /**
   * Advance the handshake: true when it is complete, false when it needs
   * the peer's records (no error object: a handshake waits so several
   * times, and an Error's stack trace is the dearest thing in this path).
   *
   * @throws {SSLError} for any failure.
   * @internal
   * @ignore
   */
  [_handshakeStep](): boolean {
    const ptr = this.#need("do the handshake");
    const s = libssl();
    clearErrors();
    const rc = s.SSL_do_handshake(ptr);
    if (rc === 1) {
      this.#handshakeDone = true;
      return true;
    }
    if (s.SSL_get_error(ptr, rc) === SSL_ERROR.WANT_READ) return false;
    throw this.#error(rc, "do handshake");
  }

  /**
   * Read decrypted data: up to `len` bytes as a new array, or into `buffer`
   * (returning the count). An empty result / 0 means the peer closed the
   * TLS session (`close_notify`).
   *
   * @throws {SSLWantReadError} when no complete record is buffered.
   */
  read(len?: number): Uint8Array;
  /** Read up to `len` decrypted bytes into `buffer`; returns the count. */
  read(len: number, buffer: Uint8Array): number;
  read(len = 1024, buffer?: Uint8Array): Uint8Array | number {
    const target = buffer ?? new Uint8Array(len);
    const n = this[_readInto](target, Math.min(len, target.length));
    if (n < 0) throw new SSLWantReadError();
    return buffer !== undefined ? n : target.subarray(0, n);
  }

  /**
   * Read into `buf[0..len)`: the count, 0 at a clean close, -1 when a
   * complete record is missing (no error object on this hot path).
   * @internal
   * @ignore
   */
  [_readInto](buf: Uint8Array, len: number): number {
    const ptr = this.#need("read");
    const s = libssl();
    const rc = s.SSL_read(ptr, buf, len);
    if (rc > 0) return rc;
    const code = s.SSL_get_error(ptr, rc);
    if (code === SSL_ERROR.WANT_READ) return -1;
    if (code === SSL_ERROR.ZERO_RETURN) return 0;
    throw this.#error(rc, "read");
  }

  /**
   * Encrypt `data`; returns the bytes consumed (partial writes are allowed:
   * call again with the rest).
   *
   * @throws {SSLWantReadError} during a handshake that needs the peer.
   */
  write(data: Uint8Array): number {
    const ptr = this.#need("write");
    if (data.length === 0) return 0;
    const rc = libssl().SSL_write(ptr, data, Math.min(data.length, 0x7fffffff));
    if (rc > 0) return rc;
    throw this.#error(rc, "write");
  }

  /**
   * Send `close_notify` and finish once the peer's arrives (Python's
   * `unwrap`).
   *
   * @throws {SSLWantReadError} while the peer's `close_notify` is missing.
   * @throws {SSLError} `APPLICATION_DATA_AFTER_CLOSE_NOTIFY` when the peer
   *   still sent data after ours (OpenSSL refuses to read it).
   */
  unwrap(): void {
    if (!this[_unwrapStep]()) throw new SSLWantReadError();
  }

  /**
   * `unwrap()` without the error object: true when both `close_notify`s
   * are done, false while the peer's is missing.
   *
   * @throws {SSLError} for any failure.
   * @internal
   * @ignore
   */
  [_unwrapStep](): boolean {
    const ptr = this.#need("unwrap");
    const s = libssl();
    clearErrors();
    let rc = s.SSL_shutdown(ptr);
    // 0: ours is sent; a second call reads the peer's if it is buffered.
    if (rc === 0) rc = s.SSL_shutdown(ptr);
    if (rc === 1) return true;
    if (rc === 0) return false;
    const err = this.#error(rc, "shutdown");
    if (err instanceof SSLWantReadError) return false;
    throw err;
  }

  /** Decrypted bytes buffered and ready for `read()`. */
  pending(): number {
    return this.#ptr === null ? 0 : libssl().SSL_pending(this.#ptr);
  }

  /**
   * The peer's certificate: a decoded dictionary as Python's
   * `getpeercert()` gives (`{}` when it was not verified), its DER bytes
   * with `binaryForm`, or null when there is none (or before the handshake).
   */
  getpeercert(binaryForm?: false): PeerCertificate | null;
  /** The peer's certificate in DER form, or null. */
  getpeercert(binaryForm: true): Uint8Array | null;
  getpeercert(binaryForm = false): PeerCertificate | Uint8Array | null {
    if (this.#ptr === null || !this.#handshakeDone) return null;
    const s = libssl();
    const cert = s.SSL_get1_peer_certificate(this.#ptr);
    if (cert === null) return null;
    try {
      if (binaryForm) return derOf(cert);
      return this.#context.verifyMode === 0 ? {} : decodeCertificate(cert);
    } finally {
      s.X509_free(cert);
    }
  }

  /** `[name, protocol, secretBits]` of the negotiated cipher, or null. */
  cipher(): [name: string, protocol: string, bits: number] | null {
    if (this.#ptr === null) return null;
    const s = libssl();
    const c = s.SSL_get_current_cipher(this.#ptr);
    if (c === null) return null;
    return [
      cstr(s.SSL_CIPHER_get_name(c)),
      cstr(s.SSL_CIPHER_get_version(c)),
      s.SSL_CIPHER_get_bits(c, null),
    ];
  }

  /** The negotiated protocol version ("TLSv1.3"), or null before it is known. */
  version(): string | null {
    if (this.#ptr === null || !this.#handshakeDone) return null;
    return cstr(libssl().SSL_get_version(this.#ptr));
  }

  /** The ALPN protocol agreed on, or null. */
  selectedAlpnProtocol(): string | null {
    if (this.#ptr === null) return null;
    const s = libssl();
    const pp = new BigUint64Array(1);
    const len = new Uint32Array(1);
    s.SSL_get0_alpn_selected(this.#ptr, pp, len);
    if (pp[0] === 0n || len[0] === 0) return null;
    return new TextDecoder().decode(
      new Uint8Array(viewAt(pointerFrom(pp[0]), len[0])),
    );
  }

  /** Compression in use: always null (it is disabled, as in Python). */
  compression(): string | null {
    return null;
  }

  /** Whether the native connection was freed. */
  get freed(): boolean {
    return this.#ptr === null;
  }

  /** Free the native connection (and its references to the BIOs). Idempotent. */
  free(): void {
    if (this.#ptr === null) return;
    registry.unregister(this);
    byPointer.delete(addressOfPointer(this.#ptr));
    libssl().SSL_free(this.#ptr);
    _live.ssl--;
    this.#ptr = null;
    for (const c of this.#contexts) c[_release]();
    this.#contexts.length = 0;
  }

  #need(what: string): Pointer {
    if (this.#ptr === null) {
      throw new Error(`Cannot ${what}: the SSLObject is freed`);
    }
    return this.#ptr;
  }

  /** The error for a failed call that returned `rc`. */
  #error(rc: number, what: string): SSLError {
    const s = libssl();
    const code = s.SSL_get_error(this.#ptr!, rc);
    switch (code) {
      case SSL_ERROR.WANT_READ:
        return new SSLWantReadError();
      case SSL_ERROR.WANT_WRITE:
        return new SSLWantWriteError();
      case SSL_ERROR.ZERO_RETURN:
        return new SSLZeroReturnError();
    }
    if (this[_callbackError] !== undefined) {
      const err = this[_callbackError];
      this[_callbackError] = undefined;
      clearErrors();
      if (err instanceof SSLError) return err;
      return new SSLError(`Cannot ${what}: a callback failed: ${err}`, {
        cause: err,
      });
    }
    const last = s.ERR_peek_last_error() as bigint;
    const reason = last & 0x7fffffn;
    if (reason === CERT_VERIFY_FAILED) {
      clearErrors();
      const v = Number(s.SSL_get_verify_result(this.#ptr!));
      return new SSLCertVerificationError(
        v,
        cstr(s.X509_verify_cert_error_string(BigInt(v))),
      );
    }
    if (
      reason === UNEXPECTED_EOF || (code === SSL_ERROR.SYSCALL && last === 0n)
    ) {
      clearErrors();
      return new SSLEOFError();
    }
    return sslErrorFromQueue(what, code);
  }
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function setHostname(
  ptr: Pointer,
  host: string,
  check: boolean,
): void {
  const s = libssl();
  const isIp = IPV4.test(host) || host.includes(":");
  const name = cbuf(host);
  // SNI carries DNS names only (RFC 6066 §3), never an IP address.
  if (
    !isIp &&
    s.SSL_ctrl(
        ptr,
        CTRL_SET_TLSEXT_HOSTNAME,
        0n,
        pointerFrom(addressOf(name)),
      ) !== 1n
  ) {
    throw sslErrorFromQueue("set server name");
  }
  if (!check) return;
  if (isIp) {
    const param = s.SSL_get0_param(ptr);
    if (s.X509_VERIFY_PARAM_set1_ip_asc(param, name) !== 1) {
      throw sslErrorFromQueue(`set expected IP address ${host}`);
    }
  } else {
    s.X509_VERIFY_PARAM_set_hostflags(
      s.SSL_get0_param(ptr),
      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
    );
    if (s.SSL_set1_host(ptr, name) !== 1) {
      throw sslErrorFromQueue(`set expected host name ${host}`);
    }
  }
}
