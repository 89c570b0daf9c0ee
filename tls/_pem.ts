/**
 * Loading PEM into a native context: this side's certificate chain and key,
 * and trusted CA certificates; from files or PEM text, never prompting for
 * a password.
 *
 * @module
 */

import { errnoOf, FileNotFoundError } from "../poll/errors.ts";
import { readTextFile } from "./_read_file.ts";
import { cbuf, libssl, type Pointer } from "./_libssl.ts";
import { clearErrors, sslErrorFromQueue } from "./errors.ts";

/** A password for an encrypted key: text, bytes, or a function giving one. */
export type Password = string | Uint8Array | (() => string | Uint8Array);

const CTRL_CHAIN_CERT = 89; // SSL_CTX_add0_chain_cert
const X509_R_CERT_ALREADY_IN_HASH_TABLE = 101n;
const PEM_BEGIN = "-----BEGIN";

/** The text of `path`; FileNotFoundError (as Python) when missing. @internal */
export function readFile(path: string, what: string): string {
  try {
    return readTextFile(path);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") {
      throw new FileNotFoundError(
        errnoOf("ENOENT"),
        `Cannot load ${what}: no such file ${path}`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** PEM text as given, or read from the path given. @internal */
export function readPem(pathOrPem: string, what: string): string {
  return pathOrPem.includes(PEM_BEGIN) ? pathOrPem : readFile(pathOrPem, what);
}

function passwordBytes(password: Password | undefined): Uint8Array {
  // An empty password, never NULL: with NULL OpenSSL would prompt on the tty.
  if (password === undefined) return new Uint8Array([0]);
  const p = typeof password === "function" ? password() : password;
  if (typeof p === "string") return cbuf(p);
  if (p instanceof Uint8Array) {
    const out = new Uint8Array(p.length + 1);
    out.set(p);
    return out;
  }
  throw new TypeError("Cannot use the password: it must be a string or bytes");
}

function withBio(text: string, fn: (bio: Pointer) => void): void {
  const s = libssl();
  const bytes = new TextEncoder().encode(text);
  const bio = s.BIO_new_mem_buf(bytes, bytes.length);
  if (bio === null) throw sslErrorFromQueue("BIO_new_mem_buf");
  try {
    fn(bio);
  } finally {
    s.BIO_free(bio);
  }
}

/**
 * Use `certPem` (leaf, then intermediates) and `keyPem` in `ctx`.
 *
 * @throws {SSLError} for malformed PEM, a wrong password, a mismatched key.
 * @internal
 */
export function useCertChain(
  ctx: Pointer,
  certPem: string,
  keyPem: string,
  password: Password | undefined,
): void {
  const s = libssl();
  const pass = passwordBytes(password);
  clearErrors();
  withBio(certPem, (bio) => {
    const leaf = s.PEM_read_bio_X509_AUX(bio, null, null, null);
    if (leaf === null) throw sslErrorFromQueue("load certificate chain");
    const ok = s.SSL_CTX_use_certificate(ctx, leaf);
    s.X509_free(leaf);
    if (ok !== 1) throw sslErrorFromQueue("load certificate chain");
    for (;;) {
      const extra = s.PEM_read_bio_X509(bio, null, null, null);
      if (extra === null) break;
      // On success the context owns `extra`.
      if (s.SSL_CTX_ctrl(ctx, CTRL_CHAIN_CERT, 0n, extra) !== 1n) {
        s.X509_free(extra);
        throw sslErrorFromQueue("load certificate chain");
      }
    }
    clearErrors(); // the end of the chain reads as "no start line"
  });
  withBio(keyPem, (bio) => {
    const key = s.PEM_read_bio_PrivateKey(bio, null, null, pass);
    pass.fill(0);
    if (key === null) throw sslErrorFromQueue("load private key");
    const ok = s.SSL_CTX_use_PrivateKey(ctx, key);
    s.EVP_PKEY_free(key);
    if (ok !== 1) throw sslErrorFromQueue("load private key");
  });
  if (s.SSL_CTX_check_private_key(ctx) !== 1) {
    throw sslErrorFromQueue("check private key");
  }
}

/**
 * Trust every certificate of PEM `text` in `ctx` (one already trusted is
 * no error, as in Python).
 *
 * @throws {SSLError} when `text` holds no certificate.
 * @internal
 */
export function addCaCerts(ctx: Pointer, text: string): void {
  const s = libssl();
  const store = s.SSL_CTX_get_cert_store(ctx);
  clearErrors();
  let count = 0;
  withBio(text, (bio) => {
    for (;;) {
      const cert = s.PEM_read_bio_X509(bio, null, null, null);
      if (cert === null) break;
      const ok = s.X509_STORE_add_cert(store, cert);
      s.X509_free(cert);
      if (ok !== 1) {
        const e = s.ERR_peek_last_error() as bigint;
        if ((e & 0x7fffffn) !== X509_R_CERT_ALREADY_IN_HASH_TABLE) {
          throw sslErrorFromQueue("load verify locations");
        }
        clearErrors();
      }
      count++;
    }
  });
  if (count === 0) {
    throw sslErrorFromQueue("load verify locations: no certificate found");
  }
  clearErrors();
}
