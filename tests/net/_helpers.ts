/**
 * Shared helpers for net/ tests: the fd census (from the poll/ helpers), an
 * echo protocol and server on 127.0.0.1, a collecting client protocol.
 *
 * @module
 */

import {
  createServer,
  type EventLoop,
  type Future,
  type Protocol,
  type Server,
  type Transport,
} from "../../mod.ts";

export { noLeak, openFds, test } from "../poll/_helpers.ts";

/** Echoes what it receives; on EOF, closes after echoing everything. */
export class Echo implements Protocol {
  transport!: Transport;
  connectionMade(t: Transport): void {
    this.transport = t;
  }
  dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
  eofReceived(): boolean {
    this.transport.close();
    return true;
  }
}

/** An echo server on 127.0.0.1 and its port. */
export function* echoServer(
  loop: EventLoop,
): Generator<unknown, [Server, number], unknown> {
  const server = yield* createServer(loop, () => new Echo(), "127.0.0.1", 0);
  const [, port] = server.sockets[0].getsockname() as [string, number];
  return [server, port];
}

/** Close a server and its clients, and wait until it is closed. */
export function* shutdownServer(
  server: Server,
): Generator<unknown, void, unknown> {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
}

/** Collects what it receives; `lost` resolves at connectionLost. */
export class Collect implements Protocol {
  transport!: Transport;
  chunks: Uint8Array[] = [];
  events: string[] = [];
  lost: Future<Error | null>;
  constructor(loop: EventLoop) {
    this.lost = loop.createFuture<Error | null>();
  }
  connectionMade(t: Transport): void {
    this.transport = t;
    this.events.push("made");
  }
  dataReceived(data: Uint8Array): void {
    this.chunks.push(data);
  }
  eofReceived(): boolean | void {
    this.events.push("eof");
  }
  pauseWriting(): void {
    this.events.push("pause");
  }
  resumeWriting(): void {
    this.events.push("resume");
  }
  connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
  /** All bytes received, joined. */
  bytes(): Uint8Array {
    return concat(this.chunks);
  }
}

/** One buffer of all `chunks`. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` pseudo-random bytes. */
export function randomBytes(n: number, next: () => number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 256) | 0;
  return out;
}
