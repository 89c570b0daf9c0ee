/**
 * `Wakeup`: the fd an event loop watches so that other code can interrupt
 * its wait — an eventfd on Linux, a non-blocking pipe elsewhere.
 *
 * @module
 */

import { os } from "./_libc.ts";
import { close, eventfd, pipe, readOrAgain, writeOrAgain } from "./fd.ts";

const ONE = new Uint8Array(new BigUint64Array([1n]).buffer);

// Channels collected without close() (a dropped loop's): close their fds.
const dropped = new FinalizationRegistry<[number, number]>(([r, w]) => {
  close(r);
  if (w !== r) close(w);
});

/**
 * A wake-up channel: watch `fd` for reading; `signal()` makes it readable,
 * `drain()` makes it quiet again.
 *
 * @example Interrupting a wait
 * ```ts
 * import { EVENT_READ, PollSelector, Wakeup } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * using w = new Wakeup();
 * using sel = new PollSelector();
 * sel.register(w.fd, EVENT_READ);
 * w.signal();
 * assert.equal(sel.select(1).length, 1);
 * w.drain();
 * assert.equal(sel.select(0).length, 0);
 * ```
 */
export class Wakeup implements Disposable {
  /** The fd to watch for reading. */
  readonly fd: number;
  /** The fd `signal()` writes to (the same fd for an eventfd). */
  readonly writeFd: number;
  readonly #buf = new Uint8Array(64);
  #closed = false;

  constructor() {
    if (os === "linux" || os === "android") {
      this.fd = this.writeFd = eventfd();
    } else {
      [this.fd, this.writeFd] = pipe({ nonblocking: true });
    }
    dropped.register(this, [this.fd, this.writeFd], this);
  }

  /**
   * Make `fd` readable. Signalling twice before a drain is harmless.
   * @throws {Error} after `close()`.
   */
  signal(): void {
    if (this.#closed) {
      throw new Error("Cannot signal: the wake-up fd is closed");
    }
    Wakeup.signalFd(this.writeFd);
  }

  /**
   * Make the fd readable given only its number: for a Worker that was sent
   * `writeFd` (and, like every Worker, inherits FFI permission).
   *
   * @param writeFd The `writeFd` of a `Wakeup` in any thread.
   * @throws {OSError} if `writeFd` is not open (EBADF).
   *
   * @example From a Worker, given only the fd number
   * ```ts
   * import { Wakeup } from "./mod.ts";
   * import assert from "node:assert/strict";
   * using w = new Wakeup();
   * Wakeup.signalFd(w.writeFd); // what a Worker would call
   * assert.equal(w.drain(), true);
   * ```
   */
  static signalFd(writeFd: number): void {
    // 8 bytes: an eventfd needs a u64; a pipe just gets 8 bytes. EAGAIN
    // (full counter or full pipe) means it is already readable: the point.
    writeOrAgain(writeFd, ONE);
  }

  /**
   * Consume every pending signal, so `fd` is quiet until the next one.
   *
   * @returns Whether there was any signal to consume.
   */
  drain(): boolean {
    if (this.#closed) return false;
    if (this.fd === this.writeFd) {
      // An eventfd read returns the whole counter and resets it to 0.
      return readOrAgain(this.fd, this.#buf) > 0;
    }
    let any = false;
    for (;;) {
      const n = readOrAgain(this.fd, this.#buf);
      if (n > 0) any = true;
      // A short read emptied the pipe: no need to wait for EAGAIN.
      if (n < this.#buf.length) return any;
    }
  }

  /** Close the fd(s). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    dropped.unregister(this);
    close(this.fd);
    if (this.writeFd !== this.fd) close(this.writeFd);
  }

  /** Closes the channel. */
  [Symbol.dispose](): void {
    this.close();
  }
}
