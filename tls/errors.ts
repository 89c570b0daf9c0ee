/**
 * The errors of TLS, as Python's `ssl` module names them: `SSLError` and its
 * subclasses for verification failures, a clean close by the peer, an
 * unexpected EOF, and the "want read/write" conditions of non-blocking
 * operations. Messages come from OpenSSL's error queue.
 *
 * @module
 */

import { cstr, libssl } from "./_libssl.ts";

/** Options of {@linkcode SSLError}. */
export interface SSLErrorOptions {
  /** OpenSSL's library name of the error, e.g. `"SSL"`, `"PEM"`. */
  library?: string;
  /** OpenSSL's reason as a mnemonic, e.g. `"CERTIFICATE_VERIFY_FAILED"`. */
  reason?: string;
  /** The `SSL_get_error()` code, when the error came from a connection. */
  errno?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A TLS error (Python's `ssl.SSLError`).
 *
 * `library` and `reason` name OpenSSL's error: the reason mnemonic is built
 * from OpenSSL's reason text (`"certificate verify failed"` becomes
 * `"CERTIFICATE_VERIFY_FAILED"`), which is the mnemonic Python shows for
 * nearly every error.
 *
 * @example
 * ```ts
 * import { SSLError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number", {
 *   library: "SSL",
 *   reason: "WRONG_VERSION_NUMBER",
 * });
 * assert.equal(err.reason, "WRONG_VERSION_NUMBER");
 * ```
 */
export class SSLError extends Error {
  /** OpenSSL's library of the error, if known. */
  readonly library: string | undefined;
  /** OpenSSL's reason mnemonic, if known. */
  readonly reason: string | undefined;
  /** The `SSL_get_error()` code, if the error came from a connection. */
  readonly errno: number | undefined;

  /**
   * Create the error.
   *
   * @param message The message.
   * @param options Library, reason, code and cause.
   */
  constructor(message: string, options: SSLErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.library = options.library;
    this.reason = options.reason;
    this.errno = options.errno;
  }
}

/**
 * The peer's certificate could not be verified (Python's
 * `ssl.SSLCertVerificationError`): `verifyCode` is OpenSSL's
 * `X509_V_ERR_*` code, `verifyMessage` its text (e.g. `"hostname mismatch"`,
 * `"self-signed certificate"`).
 *
 * @example
 * ```ts
 * import { SSLCertVerificationError, SSLError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new SSLCertVerificationError(62, "hostname mismatch");
 * assert.ok(err instanceof SSLError);
 * assert.match(err.message, /hostname mismatch/);
 * ```
 */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's verification result (`X509_V_ERR_*`). */
  readonly verifyCode: number;
  /** Its text. */
  readonly verifyMessage: string;

  /**
   * Create the error.
   *
   * @param verifyCode The `X509_V_ERR_*` code.
   * @param verifyMessage Its text.
   */
  constructor(verifyCode: number, verifyMessage: string) {
    super(
      `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verifyMessage}`,
      { library: "SSL", reason: "CERTIFICATE_VERIFY_FAILED" },
    );
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
  }
}

/**
 * The peer closed the TLS connection cleanly (it sent `close_notify`).
 *
 * @example
 * ```ts
 * import { SSLError, SSLZeroReturnError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.ok(new SSLZeroReturnError() instanceof SSLError);
 * ```
 */
export class SSLZeroReturnError extends SSLError {
  /** Create the error. */
  constructor(message = "TLS/SSL connection has been closed (EOF)") {
    super(message, { errno: 6 });
  }
}

/**
 * A non-blocking TLS operation needs more data from the peer first.
 *
 * @example
 * ```ts
 * import { SSLWantReadError } from "./errors.ts";
 * console.log(new SSLWantReadError().message);
 * ```
 */
export class SSLWantReadError extends SSLError {
  /** Create the error. */
  constructor(message = "The operation did not complete (read)") {
    super(message, { errno: 2 });
  }
}

/**
 * A non-blocking TLS operation needs to write first (not raised over memory
 * BIOs, which always accept writes; kept for Python's set of names).
 *
 * @example
 * ```ts
 * import { SSLWantWriteError } from "./errors.ts";
 * console.log(new SSLWantWriteError().message);
 * ```
 */
export class SSLWantWriteError extends SSLError {
  /** Create the error. */
  constructor(message = "The operation did not complete (write)") {
    super(message, { errno: 3 });
  }
}

/**
 * The connection ended without `close_notify` (Python's `ssl.SSLEOFError`).
 *
 * @example
 * ```ts
 * import { SSLEOFError, SSLError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.ok(new SSLEOFError() instanceof SSLError);
 * ```
 */
export class SSLEOFError extends SSLError {
  /** Create the error. */
  constructor(message = "EOF occurred in violation of protocol") {
    super(message, { errno: 8 });
  }
}

const REASON_MASK = 0x7fffffn;
const LIB_SHIFT = 23n;
const LIB_MASK = 0xffn;

function mnemonic(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

function libraryName(text: string): string {
  // "SSL routines" -> "SSL", "X.509 certificate routines" -> "X509"
  const first = text.replace(/ routines$/, "").split(" ")[0] ?? "";
  return first.replace(/\./g, "").toUpperCase();
}

/**
 * Drain OpenSSL's error queue into an `SSLError` (the most recent error
 * gives the reason; earlier ones become the cause chain's text).
 *
 * @param what What we were doing, used when the queue is empty.
 * @param errno The `SSL_get_error()` code, if any.
 * @internal
 */
export function sslErrorFromQueue(what: string, errno?: number): SSLError {
  const s = libssl();
  const texts: string[] = [];
  let last = 0n;
  for (;;) {
    const e = s.ERR_get_error() as bigint;
    if (e === 0n) break;
    last = e;
    const buf = new Uint8Array(256);
    s.ERR_error_string_n(e, buf, 256n);
    texts.push(new TextDecoder().decode(buf.subarray(0, buf.indexOf(0))));
  }
  if (last === 0n) {
    return new SSLError(`${what}: no error reported by OpenSSL`, { errno });
  }
  const reasonText = cstr(s.ERR_reason_error_string(last)) ||
    `reason(${last & REASON_MASK})`;
  const libText = cstr(s.ERR_lib_error_string(last)) ||
    `lib(${(last >> LIB_SHIFT) & LIB_MASK})`;
  const library = libraryName(libText);
  const reason = mnemonic(reasonText);
  return new SSLError(`[${library}: ${reason}] ${reasonText} (${what})`, {
    library,
    reason,
    errno,
    cause: texts.length > 1 ? texts.join("; ") : undefined,
  });
}

/** Empty OpenSSL's error queue (before a call whose errors we will read). @internal */
export function clearErrors(): void {
  libssl().ERR_clear_error();
}
