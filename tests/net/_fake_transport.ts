/**
 * An in-memory stream transport for stream tests: it records writes, lets
 * the test feed bytes, EOF and connection loss, and simulates flow control
 * on both sides (a write buffer with water marks that the test drains, and
 * reading that the protocol pauses). `fakePair()` joins two of them like a
 * socket pair, delivering bytes in (optionally random) chunks, one chunk per
 * loop iteration, only while the receiver is reading.
 *
 * @module
 */

import type { LoopLike } from "../../futures/_loop.ts";
import { _requireLoop } from "../../futures/_loop.ts";
import type { BaseProtocol, Protocol, Transport } from "../../net/types.ts";

/** Options of {@linkcode FakeTransport}. */
export interface FakeOptions {
  /** High-water mark of the write buffer (default 64 KiB). */
  high?: number;
  /** Low-water mark (default high / 4). */
  low?: number;
  /** Whether writeEof() is supported (default true). */
  canWriteEof?: boolean;
  /** Extra info served by getExtraInfo(). */
  extra?: Record<string, unknown>;
  /** The loop (default the running one). */
  loop?: LoopLike;
}

/** A transport whose other side is the test (or a peer fake). */
export class FakeTransport implements Transport {
  /** Every buffer written, copied, in order. */
  readonly written: Uint8Array[] = [];
  /** Bytes written and not yet taken by `flush()` or the peer. */
  buffered = 0;
  /** The most `buffered` ever was. */
  maxBuffered = 0;
  /** Bytes delivered to the protocol so far. */
  received = 0;
  /** Whether writeEof() was called. */
  eofWritten = false;
  /** How many times pauseReading() / resumeReading() were called. */
  pauses = 0;
  resumes = 0;
  /** The error connectionLost() was called with (undefined: not yet). */
  lostWith: Error | null | undefined = undefined;
  /** The peer, for fakePair(). */
  peer: FakeTransport | null = null;
  /** Chunk size for delivery to the peer (default: whole writes). */
  chunker: (() => number) | null = null;

  readonly #loop: LoopLike;
  #protocol: BaseProtocol | null = null;
  #high: number;
  #low: number;
  readonly #canWriteEof: boolean;
  readonly #extra: Record<string, unknown>;
  #reading = true;
  #closing = false;
  #writePaused = false;
  #held: Uint8Array[] = []; // fed while reading was paused
  #heldEof = false;
  #outgoing: Uint8Array[] = []; // to the peer, not yet delivered
  #pumping = false;

  constructor(options: FakeOptions = {}) {
    this.#loop = options.loop ?? _requireLoop("make a fake transport");
    this.#high = options.high ?? 65536;
    this.#low = options.low ?? this.#high / 4;
    this.#canWriteEof = options.canWriteEof ?? true;
    this.#extra = options.extra ?? {};
  }

  /** Attach `protocol` and call its connectionMade(). */
  connect(protocol: Protocol): this {
    this.#protocol = protocol;
    protocol.connectionMade?.(this);
    return this;
  }

  /** All bytes written so far, as one array. */
  writtenBytes(): Uint8Array {
    return concat(this.written);
  }

  // ---- the test's side ----

  /** Bytes from the peer: delivered now, or held while reading is paused. */
  feed(data: Uint8Array): void {
    if (this.#reading && this.#held.length === 0) {
      this.received += data.length;
      (this.#protocol as Protocol).dataReceived(data);
    } else {
      this.#held.push(data);
    }
  }

  /** The peer closed its write side. */
  feedEof(): void {
    if (this.#held.length > 0 || !this.#reading) {
      this.#heldEof = true;
      return;
    }
    const keepOpen = (this.#protocol as Protocol).eofReceived?.();
    if (!keepOpen) this.close();
  }

  /** The connection is lost (`exc` null: a clean close by the peer). */
  lose(exc: Error | null): void {
    if (this.lostWith !== undefined) return;
    this.#closing = true;
    this.#outgoing = [];
    this.buffered = 0;
    this.#loop.callSoon(() => this.#lost(exc));
  }

  /** The peer took `n` bytes (default all) of the write buffer. */
  flush(n: number = this.buffered): void {
    this.buffered -= Math.min(n, this.buffered);
    this.#afterFlush();
  }

  // ---- Transport ----

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }
  isClosing(): boolean {
    return this.#closing;
  }
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#reading = false;
    if (this.buffered === 0) this.#finishClose();
  }
  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol;
  }
  getProtocol(): BaseProtocol {
    return this.#protocol!;
  }
  isReading(): boolean {
    return this.#reading && !this.#closing;
  }
  pauseReading(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.pauses++;
  }
  resumeReading(): void {
    if (this.#reading || this.#closing) return;
    this.#reading = true;
    this.resumes++;
    this.#loop.callSoon(() => {
      this.#release();
      if (this.peer !== null) this.peer.#pump(); // the sender may go on
    });
  }
  setWriteBufferLimits(high?: number, low?: number): void {
    this.#high = high ?? 65536;
    this.#low = low ?? this.#high / 4;
  }
  getWriteBufferSize(): number {
    return this.buffered;
  }
  getWriteBufferLimits(): [number, number] {
    return [this.#low, this.#high];
  }
  write(data: Uint8Array): void {
    if (this.#closing || this.eofWritten || data.length === 0) return;
    const copy = data.slice();
    this.written.push(copy);
    this.buffered += copy.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.buffered);
    if (this.peer !== null) {
      this.#outgoing.push(copy);
      this.#pump();
    }
    if (!this.#writePaused && this.buffered > this.#high) {
      this.#writePaused = true;
      this.#protocol?.pauseWriting?.();
    }
  }
  writelines(list: Iterable<Uint8Array>): void {
    for (const d of list) this.write(d);
  }
  writeEof(): void {
    if (this.eofWritten) return;
    this.eofWritten = true;
    if (this.peer !== null) this.#pump();
  }
  canWriteEof(): boolean {
    return this.#canWriteEof;
  }
  abort(): void {
    this.lose(null);
  }

  // ---- internals ----

  #release(): void {
    while (this.#reading && this.#held.length > 0) {
      const data = this.#held.shift()!;
      this.received += data.length;
      (this.#protocol as Protocol).dataReceived(data);
    }
    if (this.#reading && this.#heldEof) {
      this.#heldEof = false;
      this.feedEof();
    }
  }

  #afterFlush(): void {
    if (this.#writePaused && this.buffered <= this.#low) {
      this.#writePaused = false;
      this.#protocol?.resumeWriting?.();
    }
    if (this.#closing && this.buffered === 0 && this.lostWith === undefined) {
      this.#finishClose();
    }
  }

  #finishClose(): void {
    this.peer?.feedEof();
    this.#loop.callSoon(() => this.#lost(null));
  }

  #lost(exc: Error | null): void {
    if (this.lostWith !== undefined) return;
    this.lostWith = exc;
    this.#reading = false;
    this.#protocol?.connectionLost?.(exc);
  }

  // Deliver outgoing bytes to the peer, one chunk per loop iteration.
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#loop.callSoon(() => this.#pumpOnce());
  }

  #pumpOnce(): void {
    this.#pumping = false;
    const peer = this.peer!;
    if (peer.lostWith !== undefined || this.lostWith !== undefined) return;
    // A receiver that does not read stops the sender (its peer's
    // resumeReading() restarts the pump), as a full socket buffer would.
    if (!peer.isReading()) return;
    if (this.#outgoing.length > 0) {
      const head = this.#outgoing[0];
      const n = Math.max(
        1,
        Math.min(head.length, this.chunker?.() ?? head.length),
      );
      if (n === head.length) this.#outgoing.shift();
      else this.#outgoing[0] = head.subarray(n);
      peer.feed(head.subarray(0, n));
      this.buffered -= n;
      this.#afterFlush();
    } else if (this.eofWritten) {
      peer.feedEof();
      return;
    }
    if (this.#outgoing.length > 0 || this.eofWritten) this.#pump();
  }
}

/** Two fakes joined like a socket pair (each one's writes reach the other). */
export function fakePair(
  options: FakeOptions = {},
): [FakeTransport, FakeTransport] {
  const a = new FakeTransport(options);
  const b = new FakeTransport(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** The chunks as one array. */
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

/** A deterministic PRNG (mulberry32), for random chunking. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
