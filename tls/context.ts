/**
 * `SSLContext`: TLS settings shared by many connections (Python's
 * `ssl.SSLContext`): certificates and keys, trust anchors, verification,
 * ALPN, protocol versions, ciphers and the server's SNI callback; and
 * `createDefaultContext()`, the safe default.
 *
 * A context owns an OpenSSL `SSL_CTX`. Free it with `close()` (or `using`):
 * the native object lives on until the last connection made from it ends.
 *
 * @module
 */

import { alpnSelectCallback, serverNameCallback } from "./_callbacks.ts";
import {
  _live,
  cbuf,
  libssl,
  MODE_PARTIAL_MOVING,
  type Pointer,
} from "./_libssl.ts";
import {
  addCaCerts,
  type Password,
  readFile,
  readPem,
  useCertChain,
} from "./_pem.ts";
import { clearErrors, SSLError, sslErrorFromQueue } from "./errors.ts";
import type { MemoryBIO } from "./memory_bio.ts";

export type { Password } from "./_pem.ts";
import { _lookupSslObject, SSLObject } from "./ssl_object.ts";
import { tlsBackend } from "./_backend.ts";
import { NodeTlsSettings } from "./_node_settings.ts";
import * as tlsKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _acquire: typeof tlsKeys._acquire = tlsKeys._acquire;
const _callbackError: typeof tlsKeys._callbackError = tlsKeys._callbackError;
const _ptr: typeof tlsKeys._ptr = tlsKeys._ptr;
const _release: typeof tlsKeys._release = tlsKeys._release;

/** Don't verify the peer (Python's `ssl.CERT_NONE`). */
export const CERT_NONE = 0;
/** Verify the peer's certificate if it sends one (`ssl.CERT_OPTIONAL`). */
export const CERT_OPTIONAL = 1;
/** Require and verify the peer's certificate (`ssl.CERT_REQUIRED`). */
export const CERT_REQUIRED = 2;
/** One of `CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED`. */
export type VerifyMode = 0 | 1 | 2;

/** A context for either side, no verification (`ssl.PROTOCOL_TLS`). */
export const PROTOCOL_TLS = 2;
/** A client context: verifies the server and its hostname. */
export const PROTOCOL_TLS_CLIENT = 16;
/** A server context. */
export const PROTOCOL_TLS_SERVER = 17;

/**
 * TLS protocol versions (Python's `ssl.TLSVersion`), for
 * `minimumVersion`/`maximumVersion`.
 *
 * @example
 * ```ts
 * import { TLSVersion } from "./context.ts";
 * console.log(TLSVersion.TLSv1_3.toString(16)); // "304"
 * ```
 */
export const TLSVersion = {
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
/** A value of {@linkcode TLSVersion}. */
export type TLSVersion = typeof TLSVersion[keyof typeof TLSVersion];

/** What a default context is for (Python's `ssl.Purpose`). */
export const Purpose = {
  /** A client verifying servers. */
  SERVER_AUTH: "serverAuth",
  /** A server verifying clients. */
  CLIENT_AUTH: "clientAuth",
} as const;
/** A value of {@linkcode Purpose}. */
export type Purpose = typeof Purpose[keyof typeof Purpose];

/**
 * A server's SNI callback: called during the handshake with the server name
 * the client asked for (null when none). It may switch `sslObject.context`.
 * Return nothing to go on, or a TLS alert number to refuse.
 */
export type SniCallback = (
  sslObject: SSLObject,
  serverName: string | null,
  context: SSLContext,
) => number | void | null | undefined;

/** Where `loadVerifyLocations` reads trust anchors. */
export interface VerifyLocations {
  /** A PEM file of CA certificates. */
  cafile?: string;
  /** PEM text of CA certificates. */
  cadata?: string;
}

const SSL_VERIFY_PEER = 1;
const SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;
const SSL_OP_NO_COMPRESSION = 1n << 17n;
const SSL_OP_NO_RENEGOTIATION = 1n << 30n;
const SSL_OP_CIPHER_SERVER_PREFERENCE = 1n << 22n;
const CTRL_MODE = 33;
const CTRL_SERVERNAME_CB = 53;
const CTRL_SET_MIN_PROTO = 123;
const CTRL_SET_MAX_PROTO = 124;
const AD_HANDSHAKE_FAILURE = 40;

interface Native {
  ptr: Pointer;
  callbacks: { close(): void }[];
}

function freeNative(n: Native): void {
  libssl().SSL_CTX_free(n.ptr);
  _live.ctx--;
  for (const cb of n.callbacks) cb.close();
  n.callbacks.length = 0;
}

const registry = new FinalizationRegistry<Native>(freeNative);

let settingsOf: (ctx: SSLContext) => NodeTlsSettings;

/**
 * The `node:tls` settings of a fallback context.
 *
 * @throws {Error} when the context is closed or on libssl.
 * @internal
 */
export function _nodeSettings(ctx: SSLContext): NodeTlsSettings {
  return settingsOf(ctx);
}

/**
 * TLS settings for connections (Python's `ssl.SSLContext`).
 *
 * `protocol` is `PROTOCOL_TLS_CLIENT` (verification and hostname checks on),
 * `PROTOCOL_TLS_SERVER`, or `PROTOCOL_TLS` (either side, no verification),
 * as in Python. The minimum version is TLS 1.2.
 *
 * @example A client and a server context
 * ```ts
 * import { CERT_REQUIRED, PROTOCOL_TLS_SERVER, SSLContext, createDefaultContext } from "./context.ts";
 * import assert from "node:assert/strict";
 * using client = createDefaultContext();
 * assert.equal(client.verifyMode, CERT_REQUIRED);
 * assert.equal(client.checkHostname, true);
 * using server = new SSLContext(PROTOCOL_TLS_SERVER);
 * server.loadCertChain("tests/tls/fixtures/server.pem", "tests/tls/fixtures/server.key");
 * server.setAlpnProtocols(["h2", "http/1.1"]);
 * ```
 */
export class SSLContext {
  /** The protocol constant the context was made with. */
  readonly protocol: number;
  #native: Native | null;
  #closed = false;
  #refs = 0;
  #verifyMode: VerifyMode;
  #checkHostname: boolean;
  #alpn: Uint8Array | null = null;
  #sni: SniCallback | null = null;
  #sniInstalled = false;
  #min: TLSVersion = TLSVersion.TLSv1_2;
  #max: TLSVersion = TLSVersion.MAXIMUM_SUPPORTED;
  // Settings for node:tls when libssl is missing (or a test asks): then
  // there is no native context.
  #node: NodeTlsSettings | null = null;

  /**
   * Create a context.
   *
   * @param protocol `PROTOCOL_TLS_CLIENT`, `PROTOCOL_TLS_SERVER` or
   *   `PROTOCOL_TLS` (the default, as Python's).
   * @throws {RangeError} for another protocol number.
   * @throws {Error} naming what to install when libssl 3 is missing.
   */
  constructor(protocol: number = PROTOCOL_TLS) {
    if (
      protocol !== PROTOCOL_TLS && protocol !== PROTOCOL_TLS_CLIENT &&
      protocol !== PROTOCOL_TLS_SERVER
    ) {
      throw new RangeError(
        `Cannot create an SSLContext: unknown protocol ${protocol}, use PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER`,
      );
    }
    this.protocol = protocol;
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this.#checkHostname = client;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    if (tlsBackend() === "node") {
      this.#native = null;
      this.#node = new NodeTlsSettings();
      return;
    }
    const s = libssl();
    clearErrors();
    const ptr = s.SSL_CTX_new(s.TLS_method());
    if (ptr === null) throw sslErrorFromQueue("SSL_CTX_new");
    _live.ctx++;
    this.#native = { ptr, callbacks: [] };
    registry.register(this, this.#native, this);
    s.SSL_CTX_ctrl(ptr, CTRL_MODE, MODE_PARTIAL_MOVING, null);
    s.SSL_CTX_set_options(
      ptr,
      SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
        SSL_OP_CIPHER_SERVER_PREFERENCE,
    );
    s.SSL_CTX_ctrl(ptr, CTRL_SET_MIN_PROTO, BigInt(TLSVersion.TLSv1_2), null);
    this.#applyVerify();
  }

  /**
   * Whether this context runs on the `node:tls` fallback (libssl could not
   * be loaded): connections then work through `node:tls` over a Duplex,
   * the slower path (on Deno it needs host turns), and there is no
   * `SSLObject` (`wrapBio()` and `sniCallback` need libssl).
   */
  get usesNodeTls(): boolean {
    return this.#node !== null;
  }

  static {
    settingsOf = (ctx) => {
      if (ctx.#node === null || ctx.#closed) {
        throw new Error(
          ctx.#closed
            ? "Cannot use the SSLContext: it is closed"
            : "Cannot use node:tls settings: the context is on libssl",
        );
      }
      return ctx.#node;
    };
  }

  /**
   * The native `SSL_CTX`. @internal
   * @ignore
   */
  get [_ptr](): unknown {
    if (this.#native === null || this.#closed) {
      throw new Error("Cannot use the SSLContext: it is closed");
    }
    return this.#native.ptr;
  }

  /** How the peer's certificate is verified. */
  get verifyMode(): VerifyMode {
    return this.#verifyMode;
  }
  /**
   * @throws {Error} setting `CERT_NONE` while `checkHostname` is on.
   * @throws {RangeError} for a value that is no verify mode.
   */
  set verifyMode(mode: VerifyMode) {
    if (
      mode !== CERT_NONE && mode !== CERT_OPTIONAL && mode !== CERT_REQUIRED
    ) {
      throw new RangeError(
        `Cannot set verifyMode to ${mode}: use CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED`,
      );
    }
    if (mode === CERT_NONE && this.#checkHostname) {
      throw new Error(
        "Cannot set verifyMode to CERT_NONE: checkHostname is enabled, set checkHostname = false first",
      );
    }
    this.#verifyMode = mode;
    this.#applyVerify();
  }

  /**
   * Whether the server's certificate must match `serverHostname`. Turning it
   * on with `CERT_NONE` switches to `CERT_REQUIRED`, as in Python.
   */
  get checkHostname(): boolean {
    return this.#checkHostname;
  }
  set checkHostname(on: boolean) {
    this.#checkHostname = on;
    if (on && this.#verifyMode === CERT_NONE) this.verifyMode = CERT_REQUIRED;
  }

  /** The lowest protocol version allowed (default TLS 1.2). */
  get minimumVersion(): TLSVersion {
    return this.#min;
  }
  set minimumVersion(v: TLSVersion) {
    this.#setVersion(CTRL_SET_MIN_PROTO, v, "minimumVersion");
    this.#min = v;
  }

  /** The highest protocol version allowed. */
  get maximumVersion(): TLSVersion {
    return this.#max;
  }
  set maximumVersion(v: TLSVersion) {
    this.#setVersion(CTRL_SET_MAX_PROTO, v, "maximumVersion");
    this.#max = v;
  }

  /**
   * The server's SNI callback (see {@linkcode SniCallback}), or null.
   */
  get sniCallback(): SniCallback | null {
    return this.#sni;
  }
  set sniCallback(cb: SniCallback | null) {
    if (cb !== null && typeof cb !== "function") {
      throw new TypeError("Cannot set sniCallback: it is not a function");
    }
    if (cb !== null && this.#node !== null) {
      throw new Error(
        "Cannot set sniCallback: the node:tls fallback has no SSLObject to give it, install libssl 3",
      );
    }
    this.#sni = cb;
    if (cb !== null && !this.#sniInstalled) this.#installSni();
  }

  /**
   * Load this side's certificate chain and private key (Python's
   * `load_cert_chain`).
   *
   * @param certfile A PEM file path, or PEM text: the certificate first,
   *   then any intermediates.
   * @param keyfile A PEM path or text of the key; omitted: `certfile` holds
   *   the key too.
   * @param password For an encrypted key.
   * @throws {FileNotFoundError} for a missing file (as Python).
   * @throws {SSLError} for a malformed certificate or key, a wrong password
   *   or a key that does not match the certificate; the context is then
   *   unchanged only as far as OpenSSL allows (load into a fresh context).
   */
  loadCertChain(certfile: string, keyfile?: string, password?: Password): void {
    const certPem = readPem(certfile, "certificate chain");
    const keyPem = keyfile === undefined
      ? certPem
      : readPem(keyfile, "private key");
    if (this.#node !== null) {
      settingsOf(this).useCertChain(certPem, keyPem, password);
      return;
    }
    useCertChain(this[_ptr] as Pointer, certPem, keyPem, password);
  }

  /**
   * Trust the CA certificates of a PEM file and/or PEM text (Python's
   * `load_verify_locations`).
   *
   * @throws {TypeError} when neither is given.
   * @throws {FileNotFoundError} for a missing `cafile`.
   * @throws {SSLError} for text with no valid certificate.
   */
  loadVerifyLocations(where: VerifyLocations): void {
    if (where?.cafile === undefined && where?.cadata === undefined) {
      throw new TypeError(
        "Cannot load verify locations: pass cafile or cadata",
      );
    }
    const texts: string[] = [];
    if (where.cafile !== undefined) {
      texts.push(readFile(where.cafile, "CA file"));
    }
    if (where.cadata !== undefined) texts.push(where.cadata);
    for (const text of texts) {
      if (this.#node !== null) settingsOf(this).addCa(text);
      else addCaCerts(this[_ptr] as Pointer, text);
    }
  }

  /**
   * Trust the system's CA store (OpenSSL's default paths; Python's
   * `load_default_certs`).
   *
   * @throws {SSLError} when OpenSSL cannot set them.
   */
  loadDefaultCerts(_purpose: Purpose = Purpose.SERVER_AUTH): void {
    if (this.#node !== null) {
      // node:tls's own root store (Mozilla's, as Node bundles it).
      settingsOf(this).systemCa = true;
      return;
    }
    clearErrors();
    if (
      libssl().SSL_CTX_set_default_verify_paths(this[_ptr] as Pointer) !== 1
    ) {
      throw sslErrorFromQueue("load default certs");
    }
  }

  /**
   * Offer (client) or accept (server) these ALPN protocols, in order of
   * preference; a server picks its first one the client offers.
   *
   * @throws {RangeError} for an empty name or one over 255 bytes.
   */
  setAlpnProtocols(protocols: string[]): void {
    const enc = new TextEncoder();
    const names = protocols.map((p) => enc.encode(p));
    const wire = new Uint8Array(names.reduce((n, b) => n + 1 + b.length, 0));
    let off = 0;
    for (const [i, b] of names.entries()) {
      if (b.length === 0 || b.length > 255) {
        throw new RangeError(
          `Cannot set ALPN protocols: "${protocols[i]}" must be 1 to 255 bytes`,
        );
      }
      wire[off++] = b.length;
      wire.set(b, off);
      off += b.length;
    }
    if (this.#node !== null) {
      settingsOf(this).alpn = [...protocols];
      this.#alpn = wire;
      return;
    }
    const s = libssl();
    if (
      s.SSL_CTX_set_alpn_protos(this[_ptr] as Pointer, wire, wire.length) !== 0
    ) {
      throw sslErrorFromQueue("set ALPN protocols");
    }
    const first = this.#alpn === null;
    this.#alpn = wire;
    if (first) this.#installAlpn();
  }

  /**
   * Set the TLS 1.2-and-below cipher list (OpenSSL syntax; TLS 1.3 suites
   * are not affected, as in Python).
   *
   * @throws {SSLError} "No cipher can be selected" when none matches.
   */
  setCiphers(ciphers: string): void {
    if (this.#node !== null) {
      settingsOf(this).ciphers = ciphers;
      return;
    }
    clearErrors();
    if (
      libssl().SSL_CTX_set_cipher_list(this[_ptr] as Pointer, cbuf(ciphers)) !==
        1
    ) {
      clearErrors();
      throw new SSLError("No cipher can be selected", {
        library: "SSL",
        reason: "NO_CIPHER_MATCH",
      });
    }
  }

  /**
   * An {@linkcode SSLObject} over `incoming` and `outgoing` (Python's
   * `wrap_bio`).
   *
   * @throws {Error} when `checkHostname` is on and a client has no
   *   `serverHostname`.
   */
  wrapBio(
    incoming: MemoryBIO,
    outgoing: MemoryBIO,
    options: { serverSide?: boolean; serverHostname?: string | null } = {},
  ): SSLObject {
    const serverSide = options.serverSide ?? false;
    const host = options.serverHostname ?? null;
    if (this.#node !== null) {
      throw new Error(
        "Cannot wrap BIOs: the node:tls fallback has no SSLObject, install libssl 3",
      );
    }
    if (serverSide && this.protocol === PROTOCOL_TLS_CLIENT) {
      throw new Error(
        "Cannot create a server-side SSLObject: the context is PROTOCOL_TLS_CLIENT",
      );
    }
    if (!serverSide && this.protocol === PROTOCOL_TLS_SERVER) {
      throw new Error(
        "Cannot create a client-side SSLObject: the context is PROTOCOL_TLS_SERVER",
      );
    }
    if (!serverSide && this.#checkHostname && !host) {
      throw new Error(
        "Cannot create a client SSLObject: checkHostname requires serverHostname",
      );
    }
    return new SSLObject(this, incoming, outgoing, serverSide, host);
  }

  /**
   * Count a connection using the native context. @internal
   * @ignore
   */
  [_acquire](): void {
    if (this.#node === null) this[_ptr] as Pointer;
    else settingsOf(this);
    this.#refs++;
  }

  /**
   * A connection ended; frees the native context if closed and unused. @internal
   * @ignore
   */
  [_release](): void {
    this.#refs--;
    if (this.#closed && this.#refs === 0) this.#free();
  }

  /**
   * Free the native context, now or when its last connection ends.
   * Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#refs === 0) this.#free();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #free(): void {
    if (this.#native === null) return;
    registry.unregister(this);
    freeNative(this.#native);
    this.#native = null;
  }

  #applyVerify(): void {
    if (this.#node !== null) return; // read per connection
    const mode = this.#verifyMode === CERT_NONE
      ? 0
      : this.#verifyMode === CERT_OPTIONAL
      ? SSL_VERIFY_PEER
      : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    libssl().SSL_CTX_set_verify(this[_ptr] as Pointer, mode, null);
  }

  #setVersion(cmd: number, v: TLSVersion, what: string): void {
    if (!Object.values(TLSVersion).includes(v)) {
      throw new RangeError(`Cannot set ${what}: ${v} is no TLSVersion`);
    }
    if (this.#node !== null) {
      if (cmd === CTRL_SET_MIN_PROTO) this.#node.minVersion = v;
      else this.#node.maxVersion = v;
      return;
    }
    const wire = v < 0 ? 0n : BigInt(v);
    if (libssl().SSL_CTX_ctrl(this[_ptr] as Pointer, cmd, wire, null) !== 1n) {
      throw sslErrorFromQueue(`set ${what}`);
    }
  }

  #installAlpn(): void {
    const ref = new WeakRef(this);
    const cb = alpnSelectCallback(() => {
      const self = ref.deref();
      return self === undefined ? null : self.#alpn;
    });
    this.#native!.callbacks.push(cb);
    libssl().SSL_CTX_set_alpn_select_cb(
      this[_ptr] as Pointer,
      cb.pointer,
      null,
    );
  }

  #installSni(): void {
    const ref = new WeakRef(this);
    const cb = serverNameCallback((ssl, name) => {
      const ctx = ref.deref();
      const obj = _lookupSslObject(ssl);
      const fn = ctx === undefined ? null : ctx.#sni;
      if (!ctx || !obj || !fn) return null;
      try {
        return fn(obj, name, ctx) ?? null;
      } catch (err) {
        obj[_callbackError] = err;
        return AD_HANDSHAKE_FAILURE;
      }
    });
    this.#native!.callbacks.push(cb);
    libssl().SSL_CTX_callback_ctrl(
      this[_ptr] as Pointer,
      CTRL_SERVERNAME_CB,
      cb.pointer,
    );
    this.#sniInstalled = true;
  }
}

/**
 * A client context for `purpose` with Python's defaults: the system trust
 * store (or `cafile`/`cadata` when given), `CERT_REQUIRED` and
 * `checkHostname` for servers' certificates; for `CLIENT_AUTH`, a server
 * context.
 *
 * @example
 * ```ts
 * import { createDefaultContext } from "./context.ts";
 * import assert from "node:assert/strict";
 * using ctx = createDefaultContext("serverAuth", { cafile: "tests/tls/fixtures/ca.pem" });
 * assert.equal(ctx.checkHostname, true);
 * ```
 */
export function createDefaultContext(
  purpose: Purpose = Purpose.SERVER_AUTH,
  where: VerifyLocations = {},
): SSLContext {
  const ctx = new SSLContext(
    purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER,
  );
  try {
    if (where.cafile !== undefined || where.cadata !== undefined) {
      ctx.loadVerifyLocations(where);
    } else {
      ctx.loadDefaultCerts(purpose);
    }
  } catch (err) {
    ctx.close();
    throw err;
  }
  return ctx;
}
