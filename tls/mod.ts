/**
 * TLS for any transport, as Python's `ssl` + asyncio's `sslproto`: an
 * {@linkcode SSLContext} with Python's essentials, {@linkcode SSLObject}
 * over memory BIOs (libssl 3 through FFI, loaded on first use), and the SSL
 * protocol that layers TLS between a transport and an application protocol
 * ({@linkcode startTls}). libssl is opened by the runtime's FFI backend
 * (Deno, Node through koffi, Bun); where it cannot be loaded, contexts use
 * `node:tls` over a Duplex instead, the slower path
 * ({@linkcode SSLContext.usesNodeTls}).
 *
 * @module
 */

export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  createDefaultContext,
  type Password,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  type SniCallback,
  SSLContext,
  TLSVersion,
  type VerifyLocations,
  type VerifyMode,
} from "./context.ts";
export {
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  type SSLErrorOptions,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
} from "./errors.ts";
export { MemoryBIO } from "./memory_bio.ts";
export { type PeerCertificate, SSLObject } from "./ssl_object.ts";
export type { RDN } from "./_certificate.ts";
export { SSLProtocol, type SSLProtocolOptions } from "./ssl_protocol.ts";
export { startTls, type StartTlsOptions } from "./start_tls.ts";
// The contracts the TLS API takes and gives (also exported by net/ once it
// lands; re-exporting the same declarations twice is no conflict).
export type {
  BaseProtocol,
  BaseTransport,
  BufferedProtocol,
  Protocol,
  ReadTransport,
  Transport,
  WriteTransport,
} from "../net/types.ts";
