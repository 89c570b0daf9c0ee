/**
 * Two linked in-memory transports for TLS tests: a write on one side is
 * delivered to the other side's protocol on a later loop iteration
 * (`callSoon`), in order; close() sends EOF after what was written. No fds,
 * no timers: it runs on the virtual clock.
 *
 * @module
 */

import type { LoopLike } from "../../futures/_loop.ts";
import type {
  BaseProtocol,
  BufferedProtocol,
  Protocol,
  Transport,
} from "../../net/types.ts";

/** One end of an in-memory stream. */
export class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  #loop: LoopLike;
  #protocol: BaseProtocol;
  #closing = false;
  #closed = false;
  #reading = true;
  #held: (Uint8Array | null)[] = []; // received while paused; null = EOF
  #inflight = 0;
  #high = 64 * 1024;
  #low = 16 * 1024;
  #writePaused = false;
  /** Every byte written, for tests that look at the wire. */
  wire: Uint8Array[] = [];
  /** Whether to record `wire`. */
  record = false;
  /**
   * Deliver through a protocol's `getBuffer`/`bufferUpdated` (as the socket
   * transports do) when it has them, in pieces of at most this many bytes;
   * 0: always `dataReceived`.
   */
  bufferedPiece = 0;

  constructor(loop: LoopLike, protocol: BaseProtocol) {
    this.#loop = loop;
    this.#protocol = protocol;
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name === "peername" ? "memory" : defaultValue;
  }
  isClosing(): boolean {
    return this.#closing;
  }
  setProtocol(p: BaseProtocol): void {
    this.#protocol = p;
  }
  getProtocol(): BaseProtocol {
    return this.#protocol;
  }
  isReading(): boolean {
    return this.#reading && !this.#closing;
  }
  pauseReading(): void {
    this.#reading = false;
  }
  resumeReading(): void {
    if (this.#reading) return;
    this.#reading = true;
    this.#loop.callSoon(() => {
      while (this.#reading && this.#held.length > 0 && !this.#closed) {
        const d = this.#held.shift()!;
        if (d === null) this.#eof();
        else this.#deliver(d);
      }
    });
  }
  setWriteBufferLimits(high = 64 * 1024, low = Math.floor(high / 4)): void {
    this.#high = high;
    this.#low = low;
  }
  getWriteBufferSize(): number {
    return this.#inflight;
  }
  getWriteBufferLimits(): [number, number] {
    return [this.#low, this.#high];
  }
  write(data: Uint8Array): void {
    if (this.#closing || data.length === 0) return;
    const copy = data.slice();
    if (this.record) this.wire.push(copy);
    this.#inflight += copy.length;
    if (!this.#writePaused && this.#inflight >= this.#high) {
      this.#writePaused = true;
      this.#protocol.pauseWriting?.();
    }
    this.#loop.callSoon(() => {
      this.#inflight -= copy.length;
      if (this.#writePaused && this.#inflight <= this.#low && !this.#closed) {
        this.#writePaused = false;
        this.#protocol.resumeWriting?.();
      }
      if (!this.#closed) this.peer._receive(copy);
    });
  }
  writelines(list: Iterable<Uint8Array>): void {
    for (const d of list) this.write(d);
  }
  writeEof(): void {
    this.#loop.callSoon(() => this.peer._receive(null));
  }
  canWriteEof(): boolean {
    return true;
  }
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#loop.callSoon(() => {
      this.peer._receive(null);
      this._lost(null);
    });
  }
  abort(): void {
    this.#closing = true;
    this._lost(null);
    this.#loop.callSoon(() => this.peer._receive(null));
  }

  /** Data (or EOF: null) from the peer. @internal */
  _receive(data: Uint8Array | null): void {
    if (this.#closed) return;
    if (!this.#reading) {
      this.#held.push(data);
      return;
    }
    if (data === null) this.#eof();
    else this.#deliver(data);
  }

  #deliver(data: Uint8Array): void {
    const p = this.#protocol as Partial<BufferedProtocol>;
    if (this.bufferedPiece === 0 || p.getBuffer === undefined) {
      (this.#protocol as Protocol).dataReceived(data);
      return;
    }
    for (let off = 0; off < data.length && !this.#closed;) {
      const buf = p.getBuffer(-1);
      const n = Math.min(buf.length, this.bufferedPiece, data.length - off);
      buf.set(data.subarray(off, off + n));
      off += n;
      p.bufferUpdated!(n);
    }
  }

  #eof(): void {
    const keep = (this.#protocol as Protocol).eofReceived?.();
    if (!keep) this.close();
  }

  /** @internal */
  _lost(exc: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    const p = this.#protocol;
    this.#loop.callSoon(() => p.connectionLost?.(exc));
  }
}

/** Two linked transports; each protocol's `connectionMade` runs soon. */
export function memoryPair(
  loop: LoopLike,
  a: BaseProtocol,
  b: BaseProtocol,
): [MemoryTransport, MemoryTransport] {
  const ta = new MemoryTransport(loop, a);
  const tb = new MemoryTransport(loop, b);
  ta.peer = tb;
  tb.peer = ta;
  loop.callSoon(() => a.connectionMade?.(ta));
  loop.callSoon(() => b.connectionMade?.(tb));
  return [ta, tb];
}
