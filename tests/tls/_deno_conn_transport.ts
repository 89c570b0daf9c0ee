/**
 * Test scaffolding until net/'s socket transports land here: a `Transport`
 * over a `Deno.Conn` (reads run as a loop Task awaiting `fromPromise`, writes
 * are chained in order). Only used to reach real peers (`openssl s_server`,
 * `openssl s_client`) over loopback TCP.
 *
 * @module
 */

import { fromPromise } from "../../futures/promise.ts";
import { Task } from "../../futures/task.ts";
import type { LoopLike } from "../../futures/_loop.ts";
import type { BaseProtocol, Protocol, Transport } from "../../net/types.ts";

/** A transport over a Deno TCP connection. */
export class DenoConnTransport implements Transport {
  #loop: LoopLike;
  #conn: Deno.Conn;
  #protocol: BaseProtocol;
  #closing = false;
  #closed = false;
  #reading = true;
  #resume: (() => void) | null = null;
  #writes: Promise<unknown> = Promise.resolve();
  #pendingWrites = 0;
  reader: Task<void>;

  constructor(loop: LoopLike, conn: Deno.Conn, protocol: BaseProtocol) {
    this.#loop = loop;
    this.#conn = conn;
    this.#protocol = protocol;
    loop.callSoon(() => protocol.connectionMade?.(this));
    this.reader = new Task(() => this.#readLoop(), { loop });
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(65536);
    for (;;) {
      if (!this.#reading) {
        await fromPromise(new Promise<void>((r) => (this.#resume = r)), {
          loop: this.#loop,
        });
      }
      if (this.#closed) return;
      let n: number | null;
      try {
        n = await fromPromise(this.#conn.read(buf), { loop: this.#loop });
      } catch {
        n = null;
      }
      if (this.#closed) return;
      if (n === null) {
        const keep = (this.#protocol as Protocol).eofReceived?.();
        if (!keep) this.close();
        return;
      }
      (this.#protocol as Protocol).dataReceived(buf.slice(0, n));
    }
  }

  getExtraInfo(name: string, d?: unknown): unknown {
    return name === "peername" ? this.#conn.remoteAddr : d;
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
    return this.#reading;
  }
  pauseReading(): void {
    this.#reading = false;
  }
  resumeReading(): void {
    this.#reading = true;
    this.#resume?.();
    this.#resume = null;
  }
  setWriteBufferLimits(): void {}
  getWriteBufferSize(): number {
    return this.#pendingWrites;
  }
  getWriteBufferLimits(): [number, number] {
    return [16384, 65536];
  }
  write(data: Uint8Array): void {
    if (this.#closing) return;
    const copy = data.slice();
    this.#pendingWrites += copy.length;
    this.#writes = this.#writes.then(async () => {
      let off = 0;
      while (off < copy.length) {
        off += await this.#conn.write(copy.subarray(off));
      }
    }).catch(() => {}).finally(() => (this.#pendingWrites -= copy.length));
  }
  writelines(list: Iterable<Uint8Array>): void {
    for (const d of list) this.write(d);
  }
  writeEof(): void {
    this.#writes = this.#writes.then(() => this.#conn.closeWrite()).catch(
      () => {},
    );
  }
  canWriteEof(): boolean {
    return true;
  }
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    const done = this.#writes.then(() => this.#finish());
    new Task(() => fromPromise(done, { loop: this.#loop }), {
      loop: this.#loop,
    });
  }
  abort(): void {
    this.#closing = true;
    this.#finish();
  }
  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#resume?.();
    const p = this.#protocol;
    this.#loop.callSoon(() => p.connectionLost?.(null));
  }
}
