/**
 * Shared helpers for TLS tests: fixture contexts, a recording application
 * protocol, a TLS pair over in-memory transports, and a check that every
 * native OpenSSL object we allocated was freed.
 *
 * @module
 */

import { Future } from "../../futures/future.ts";
import type { LoopLike } from "../../futures/_loop.ts";
import type { Protocol, Transport } from "../../net/types.ts";
import { _live } from "../../tls/_libssl.ts";
import { noLeak } from "../poll/_helpers.ts";
import {
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
} from "../../tls/context.ts";
import {
  SSLProtocol,
  type SSLProtocolOptions,
} from "../../tls/ssl_protocol.ts";
import { memoryPair, type MemoryTransport } from "./_memory_transport.ts";

const DIR = new URL("./fixtures/", import.meta.url).pathname;
/** Path of a fixture file. */
export const fixture = (name: string): string => DIR + name;

/** A server context with the CA-signed localhost certificate. */
export function serverContext(
  cert = "server.pem",
  key = "server.key",
): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(fixture(cert), fixture(key));
  return ctx;
}

/** A verifying client context that trusts the test CA. */
export function clientContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations({ cafile: fixture("ca.pem") });
  return ctx;
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** An app protocol that records what happens, with futures to wait on. */
export class Recorder implements Protocol {
  transport: Transport | null = null;
  chunks: Uint8Array[] = [];
  size = 0;
  eof = false;
  lostWith: Error | null | undefined = undefined;
  made: Future<Transport>;
  lost: Future<Error | null>;
  #want = 0;
  #wait: Future<void> | null = null;
  #loop: LoopLike;
  /** Echo what arrives. */
  echo = false;

  constructor(loop: LoopLike) {
    this.#loop = loop;
    this.made = new Future({ loop });
    this.lost = new Future({ loop });
  }
  connectionMade(t: Transport): void {
    this.transport = t;
    this.made.setResult(t);
  }
  dataReceived(data: Uint8Array): void {
    if (this.echo) this.transport!.write(data);
    this.chunks.push(data);
    this.size += data.length;
    if (this.#wait !== null && this.size >= this.#want) {
      this.#wait.setResult();
      this.#wait = null;
    }
  }
  eofReceived(): void {
    this.eof = true;
  }
  connectionLost(exc: Error | null): void {
    this.lostWith = exc;
    this.lost.setResult(exc);
  }
  /** A future done once `n` bytes arrived in total. */
  received(n: number): Future<void> {
    const f = new Future<void>({ loop: this.#loop });
    if (this.size >= n) f.setResult();
    else {
      this.#want = n;
      this.#wait = f;
    }
    return f;
  }
  /** Everything received, joined. */
  data(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** A client and a server SSL protocol linked by in-memory transports. */
export interface TlsPair {
  client: SSLProtocol;
  server: SSLProtocol;
  clientReady: Future<unknown>;
  serverReady: Future<unknown>;
  wires: [MemoryTransport, MemoryTransport];
}

/** Connect `clientApp` and `serverApp` over TLS in memory. */
export function tlsPair(
  loop: LoopLike,
  cctx: SSLContext,
  sctx: SSLContext,
  clientApp: Protocol,
  serverApp: Protocol,
  options: { client?: SSLProtocolOptions; server?: SSLProtocolOptions } = {},
): TlsPair {
  const clientReady = new Future<unknown>({ loop });
  const serverReady = new Future<unknown>({ loop });
  const client = new SSLProtocol(loop, clientApp, cctx, clientReady, {
    serverHostname: "localhost",
    ...options.client,
  });
  const server = new SSLProtocol(loop, serverApp, sctx, serverReady, {
    serverSide: true,
    ...options.server,
  });
  const wires = memoryPair(loop, client, server);
  return { client, server, clientReady, serverReady, wires };
}

/** Run `fn`, then fail if any SSL_CTX, SSL or BIO we allocated is still live. */
export async function noSslLeak(fn: () => unknown): Promise<void> {
  // a collected-but-unfinalized object of an earlier test must not count
  (globalThis as { gc?: () => void }).gc?.();
  const before = { ..._live };
  await fn();
  const after = { ..._live };
  if (
    after.ctx !== before.ctx || after.ssl !== before.ssl ||
    after.bio !== before.bio
  ) {
    throw new Error(
      `Native OpenSSL objects leaked: before ${JSON.stringify(before)}, after ${
        JSON.stringify(after)
      }`,
    );
  }
}

/**
 * `Deno.test` with the OpenSSL leak check around it, and with `census` the
 * open-fd census too (tests that use sockets or child processes).
 */
export function tlsTest(
  name: string,
  fn: () => unknown,
  options: { census?: boolean } = {},
): void {
  Deno.test(
    name,
    options.census ? () => noLeak(() => noSslLeak(fn)) : () => noSslLeak(fn),
  );
}
