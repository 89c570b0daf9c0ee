/**
 * `MemoryBIO`: an OpenSSL memory buffer that carries TLS records between an
 * {@linkcode SSLObject} and a transport (Python's `ssl.MemoryBIO`).
 *
 * @module
 */

import { _live, libssl, type Pointer } from "./_libssl.ts";
import * as tlsKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _drain: typeof tlsKeys._drain = tlsKeys._drain;
const _ptr: typeof tlsKeys._ptr = tlsKeys._ptr;
const _writeFrom: typeof tlsKeys._writeFrom = tlsKeys._writeFrom;

const BIO_SET_BUF_MEM_EOF_RETURN = 130;
const BIO_PENDING = 10;
const CHUNK = 64 * 1024;
// One native-visible scratch buffer for every BIO read (JS is one thread).
const scratch = new Uint8Array(CHUNK);

const registry = new FinalizationRegistry<Pointer>((ptr) => {
  libssl().BIO_free(ptr);
  _live.bio--;
});

/**
 * A memory BIO (Python's `ssl.MemoryBIO`): bytes written at one end are read
 * at the other. TLS reads from an empty BIO "want read" until
 * {@linkcode MemoryBIO.writeEof} marks the end.
 *
 * Native memory is freed by {@linkcode MemoryBIO.free} (or when the object
 * is garbage collected); an `SSLObject` holds its own reference.
 *
 * @example
 * ```ts
 * import { MemoryBIO } from "./memory_bio.ts";
 * import assert from "node:assert/strict";
 * const bio = new MemoryBIO();
 * bio.write(new Uint8Array([1, 2, 3]));
 * assert.equal(bio.pending, 3);
 * assert.deepEqual(bio.read(), new Uint8Array([1, 2, 3]));
 * bio.free();
 * ```
 */
export class MemoryBIO {
  #ptr: Pointer | null;
  #eof = false;

  /** Create an empty memory BIO. */
  constructor() {
    const s = libssl();
    const ptr = s.BIO_new(s.BIO_s_mem());
    if (ptr === null) {
      throw new Error("Cannot create a memory BIO: out of memory");
    }
    // Empty means "retry later", not EOF, until writeEof().
    s.BIO_ctrl(ptr, BIO_SET_BUF_MEM_EOF_RETURN, -1n, null);
    this.#ptr = ptr;
    _live.bio++;
    registry.register(this, ptr, this);
  }

  /**
   * The native BIO. @internal
   * @ignore
   */
  get [_ptr](): unknown {
    if (this.#ptr === null) throw new Error("Cannot use the BIO: it is freed");
    return this.#ptr;
  }

  /** Bytes waiting to be read. */
  get pending(): number {
    return this.#ptr === null
      ? 0
      : Number(libssl().BIO_ctrl(this.#ptr, BIO_PENDING, 0n, null));
  }

  /** Whether the BIO is at EOF: `writeEof()` was called and all is read. */
  get eof(): boolean {
    return this.#eof && this.pending === 0;
  }

  /**
   * Append `data`; returns the number of bytes written (all of them).
   *
   * @throws {Error} after `writeEof()`.
   */
  write(data: Uint8Array): number {
    if (this.#eof) throw new Error("Cannot write to the BIO: EOF was written");
    const s = libssl();
    const ptr = this[_ptr] as Pointer;
    let off = 0;
    while (off < data.length) {
      const part = off === 0 ? data : data.subarray(off);
      const n = s.BIO_write(ptr, part, Math.min(part.length, 0x7fffffff));
      if (n <= 0) throw new Error("Cannot write to the BIO: out of memory");
      off += n;
    }
    return data.length;
  }

  /**
   * Append `buf[0..n)` with no view made (the receive path's form of
   * {@linkcode MemoryBIO.write}).
   * @internal
   * @ignore
   */
  [_writeFrom](buf: Uint8Array, n: number): void {
    if (this.#eof) throw new Error("Cannot write to the BIO: EOF was written");
    const s = libssl();
    const ptr = this[_ptr] as Pointer;
    const w = s.BIO_write(ptr, buf, n);
    if (w === n) return;
    if (w <= 0) throw new Error("Cannot write to the BIO: out of memory");
    this.write(buf.subarray(w, n));
  }

  /** Read up to `n` bytes (all pending ones when omitted), copied. */
  read(n = -1): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    this[_drain]((chunk) => {
      parts.push(chunk.slice());
      total += chunk.length;
    }, n < 0 ? Infinity : n);
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  /**
   * Call `sink` with views of a shared scratch buffer until `limit` bytes
   * or the BIO is empty, or until `sink` returns false; a view is only
   * valid during the call.
   * @internal
   * @ignore
   */
  [_drain](
    sink: (chunk: Uint8Array) => boolean | void,
    limit = Infinity,
  ): number {
    if (this.#ptr === null) return 0;
    const s = libssl();
    let total = 0;
    while (total < limit) {
      const want = Math.min(CHUNK, limit - total);
      const n = s.BIO_read(this.#ptr, scratch, want);
      if (n <= 0) break;
      total += n;
      if (sink(scratch.subarray(0, n)) === false || n < want) break;
    }
    return total;
  }

  /** Mark the end of the data: reads past it are EOF, not "want read". */
  writeEof(): void {
    if (this.#eof) return;
    this.#eof = true;
    libssl().BIO_ctrl(
      this[_ptr] as Pointer,
      BIO_SET_BUF_MEM_EOF_RETURN,
      0n,
      null,
    );
  }

  /** Release this object's reference to the native BIO. Idempotent. */
  free(): void {
    if (this.#ptr === null) return;
    registry.unregister(this);
    libssl().BIO_free(this.#ptr);
    _live.bio--;
    this.#ptr = null;
  }
}
