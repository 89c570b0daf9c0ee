/**
 * Mailboxes in shared memory between the loop's thread and a pool thread:
 * one message at a time, no postMessage. A Worker message is dispatched
 * only on a host turn of the receiving thread (tens of µs each way here),
 * while a thread blocked in `Atomics.wait` wakes in a few µs.
 *
 * The reply box: the thread writes a reply and sets FULL, then rings the
 * doorbell (`_doorbell.ts`); the loop reads it and sets EMPTY.
 *
 * The job box: after a reply, the thread *parks* for a while
 * (`Atomics.wait` on the state, bounded by `LINGER`), since the next job
 * usually follows at once. The pool writes a job and swaps the state to
 * JOB: if the thread was PARKED it wakes; otherwise (running its event
 * loop, or just about to park) the pool also posts a `slot` message, and
 * whichever comes first — the park or the message — takes the job (a
 * compare-and-swap from JOB, so exactly once). A message the thread must
 * see by postMessage (a large job, transferred buffers, the end) is
 * preceded by WAKE: a parked thread returns to its event loop, one about
 * to park does not. A thread whose event loop has not had a turn for
 * LINGER ms (jobs back to back) does not park after its reply, so timers
 * and promises its work left behind are not starved.
 *
 * @module
 */

import { Codec } from "./_codec.ts";
import type { FromWorker, ToWorker } from "./_wire.ts";

/** Job box: the thread is not parked. @internal */
export const IDLE = 0;
/** Job box: the thread waits in `Atomics.wait`. @internal */
export const PARKED = 1;
/** Job box: a job waits to be taken. @internal */
export const JOB = 2;
/** Job box: a message comes by postMessage; do not park. @internal */
export const WAKE = 3;

/** Reply box states. @internal */
export const EMPTY = 0;
/** @internal */
export const FULL = 1;

/**
 * How long (ms) a thread stays parked after a reply; then it goes back to
 * its event loop (timers or promises its work left behind run there). The
 * loop's own host delay, for the same reason.
 */
export const LINGER = 10;

/** Bytes of the state words before the message. */
const HEAD = 8;

/** One message slot with its state word. @internal */
export class Mailbox {
  /** [state, length of the message]. */
  readonly #head: Int32Array;
  readonly #codec: Codec;

  /** The shared memory two mailboxes of `size` bytes each need. */
  static pair(size: number): SharedArrayBuffer {
    return new SharedArrayBuffer(2 * (HEAD + size));
  }

  /** The `index`-th (0 or 1) mailbox of `pair(size)`. */
  constructor(sab: SharedArrayBuffer, index: 0 | 1) {
    const size = sab.byteLength / 2;
    this.#head = new Int32Array(sab, index * size, 2);
    this.#codec = new Codec(
      new Uint8Array(sab, index * size + HEAD, size - HEAD),
    );
  }

  /** Write `msg` (the state is unchanged); false if it does not fit. */
  write(msg: ToWorker | FromWorker): boolean {
    const n = this.#codec.encode(msg);
    if (n < 0) return false;
    Atomics.store(this.#head, 1, n);
    return true;
  }

  /** The message last written. */
  read(): ToWorker | FromWorker {
    return this.#codec.decode(Atomics.load(this.#head, 1));
  }

  /** The state. */
  get state(): number {
    return Atomics.load(this.#head, 0);
  }

  /** Set the state; returns the previous one. */
  swap(to: number): number {
    return Atomics.exchange(this.#head, 0, to);
  }

  /** Set the state to `to` if it is `from`; returns the previous one. */
  cas(from: number, to: number): number {
    return Atomics.compareExchange(this.#head, 0, from, to);
  }

  /** Wake the thread waiting on the state, if any. */
  notify(): void {
    Atomics.notify(this.#head, 0);
  }

  /** Wait while the state is `value`, at most `ms`; the state then. */
  wait(value: number, ms: number): number {
    Atomics.wait(this.#head, 0, value, ms);
    return Atomics.load(this.#head, 0);
  }
}
