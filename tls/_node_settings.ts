/**
 * What an `SSLContext` holds on the `node:tls` fallback (no libssl): the
 * PEM text and settings it was given, turned into `node:tls` options for
 * each connection. `node:tls` is loaded on first use, through
 * `process.getBuiltinModule` (Deno, Node and Bun all have it).
 *
 * @module
 */

import { nodeRequire } from "../poll/_node_require.ts";
import { SSLError } from "./errors.ts";
import type { Password } from "./_pem.ts";

/** The part of `node:tls` the fallback uses. @internal */
export interface NodeTls {
  connect(options: Record<string, unknown>): NodeTlsSocket;
  TLSSocket: new (
    socket: unknown,
    options: Record<string, unknown>,
  ) => NodeTlsSocket;
  createSecureContext(options: Record<string, unknown>): unknown;
  readonly rootCertificates: readonly string[];
}

/** The part of a `tls.TLSSocket` the fallback uses. @internal */
export interface NodeTlsSocket {
  on(event: string, fn: (...args: never[]) => void): unknown;
  write(data: Uint8Array): boolean;
  end(): void;
  destroy(err?: Error): void;
  pause(): void;
  resume(): void;
  readonly writableLength: number;
  readonly alpnProtocol: string | false | null;
  getProtocol(): string | null;
  getCipher(): { name: string; version: string } | undefined;
  getPeerCertificate(detailed?: boolean): Record<string, unknown> | null;
}

/** The part of `node:crypto` used to check a chain and key. */
interface NodeCrypto {
  createPrivateKey(o: { key: string; passphrase: string }): unknown;
  X509Certificate: new (pem: string) => {
    checkPrivateKey(key: unknown): boolean;
  };
}

let tls: NodeTls | null = null;

/** `node:tls`, loaded once. @internal */
export function nodeTls(): NodeTls {
  return tls ??= nodeRequire("node:tls") as NodeTls;
}

const VERSION_NAMES: Readonly<Record<number, string>> = {
  0x0301: "TLSv1",
  0x0302: "TLSv1.1",
  0x0303: "TLSv1.2",
  0x0304: "TLSv1.3",
};

function passphrase(password: Password | undefined): string | undefined {
  if (password === undefined) return undefined;
  const p = typeof password === "function" ? password() : password;
  if (typeof p === "string") return p;
  if (p instanceof Uint8Array) return new TextDecoder().decode(p);
  throw new TypeError("Cannot use the password: it must be a string or bytes");
}

/** The settings of one context on the fallback. @internal */
export class NodeTlsSettings {
  cert: string | null = null;
  key: string | null = null;
  passphrase: string | undefined = undefined;
  ca: string[] = [];
  systemCa = false;
  alpn: string[] | null = null;
  ciphers: string | null = null;
  minVersion = 0x0303;
  maxVersion = -1;

  /**
   * Keep this side's chain and key, checked now as libssl would (a
   * malformed PEM, a wrong password, a key that does not match).
   *
   * @throws {SSLError} for what `node:tls` refuses.
   */
  useCertChain(cert: string, key: string, password?: Password): void {
    const pass = passphrase(password);
    // node:crypto, not createSecureContext(): Deno's accepts anything.
    const crypto = nodeRequire("node:crypto") as NodeCrypto;
    let matches: boolean;
    try {
      const k = crypto.createPrivateKey({ key, passphrase: pass ?? "" });
      matches = new crypto.X509Certificate(cert).checkPrivateKey(k);
    } catch (err) {
      throw new SSLError(
        `Cannot load the certificate chain: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (!matches) {
      throw new SSLError(
        "Cannot load the certificate chain: the private key does not match the certificate",
        { library: "X509", reason: "KEY_VALUES_MISMATCH" },
      );
    }
    this.cert = cert;
    this.key = key;
    this.passphrase = pass;
  }

  /**
   * Trust the certificates of PEM `text`.
   *
   * @throws {SSLError} when `text` holds no certificate.
   */
  addCa(text: string): void {
    if (!text.includes("-----BEGIN CERTIFICATE-----")) {
      throw new SSLError(
        "Cannot load verify locations: no certificate found",
        { library: "X509", reason: "NO_CERTIFICATE_OR_CRL_FOUND" },
      );
    }
    this.ca.push(text);
  }

  /** The `ca` option: ours, plus the runtime's roots if asked for. */
  #caOption(): string[] | undefined {
    if (this.ca.length === 0) {
      return this.systemCa ? undefined : [];
    }
    return this.systemCa
      ? [...nodeTls().rootCertificates, ...this.ca]
      : this.ca;
  }

  /** Options shared by both sides. */
  common(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      minVersion: VERSION_NAMES[this.minVersion] ?? "TLSv1.2",
      maxVersion: VERSION_NAMES[this.maxVersion] ?? "TLSv1.3",
    };
    const ca = this.#caOption();
    if (ca !== undefined) out.ca = ca;
    if (this.cert !== null) {
      out.cert = this.cert;
      out.key = this.key;
      out.passphrase = this.passphrase;
    }
    if (this.alpn !== null) out.ALPNProtocols = this.alpn;
    if (this.ciphers !== null) out.ciphers = this.ciphers;
    return out;
  }
}
