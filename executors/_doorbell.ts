/**
 * The doorbell: how pool threads wake a loop that waits synchronously in
 * its selector (FACTS §3). A Worker's reply is only dispatched on a host
 * turn, which a loop blocked in `epoll_wait` never takes. So each thread,
 * after posting a reply, writes this eventfd; the loop, which watches it
 * as a reader while it has jobs pending, wakes, counts the replies
 * announced, and waits in host mode (where Worker messages are
 * dispatched) only until that many have arrived. While jobs merely run,
 * the loop keeps its fast synchronous waits. Small replies skip the host
 * turn altogether: the thread leaves them in a shared slot that the loop
 * reads when the doorbell wakes it (`onRing`).
 *
 * One doorbell per process, kept open for the process's life (like
 * Deno's own runtime fds): a thread may ring it at any moment, and a
 * closed fd number can be reused by another open.
 *
 * @module
 */

import { os } from "../poll/_libc.ts";
import { eventfd, pipe, readOrAgain } from "../poll/fd.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { countJob } from "./_loop.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;

/** A loop that can watch an fd (the real one; the host stand-in cannot). @internal */
export interface ReaderLoop extends LoopLike {
  addReader(fd: number, callback: () => void): void;
  removeReader(fd: number): boolean;
}

let readFd = -1;
let writeFd = -1;
const buf = new Uint8Array(4096);
const counter = new BigUint64Array(buf.buffer, 0, 1);
// Replies announced by a ring minus replies received; the loop whose
// reader counted them holds a host ref while it is above zero.
let inFlight = 0;
let refLoop: LoopLike | null = null;
// Jobs pending per loop: the reader is watched while there are any.
const pending = new Map<LoopLike, number>();
// Loops whose reader is registered. Removed one iteration after the last
// job ended, not at once: sequential jobs (each submitted by the task the
// previous reply woke) would otherwise pay an epoll_ctl pair apiece.
const watching = new WeakSet<ReaderLoop>();

/** The fd a thread writes (8 bytes) to ring; opened on first use. @internal */
export function doorbellWriteFd(): number {
  if (writeFd === -1) {
    if (os === "linux" || os === "android") {
      readFd = writeFd = eventfd();
    } else {
      [readFd, writeFd] = pipe({ nonblocking: true });
    }
  }
  return writeFd;
}

/** Whether `loop` can watch fds (a real loop). @internal */
export function canWatch(loop: LoopLike): loop is ReaderLoop {
  return typeof (loop as ReaderLoop).addReader === "function";
}

/** A job for `loop` starts (+1) or ends (-1). @internal */
export function jobPending(loop: LoopLike, delta: 1 | -1): void {
  countJob(loop, delta);
  if (!canWatch(loop)) {
    loop[_hostRef](delta);
    return;
  }
  watchDoorbell(loop, delta);
}

/**
 * `loop` (one that can watch fds) needs the doorbell watched (+1) or no
 * longer (-1): while it is, a ring makes it wait in host mode until the
 * messages announced have arrived. @internal
 */
export function watchDoorbell(loop: ReaderLoop, delta: 1 | -1): void {
  const n = (pending.get(loop) ?? 0) + delta;
  if (n > 0) {
    pending.set(loop, n);
    if (!watching.has(loop) && !loop.isClosed()) {
      doorbellWriteFd();
      watching.add(loop);
      loop.addReader(readFd, () => rung(loop));
    }
    return;
  }
  pending.delete(loop);
  if (loop.isClosed()) {
    watching.delete(loop);
    return;
  }
  // Callbacks the last reply scheduled (the task it wakes) run first.
  loop.callSoon(() => unwatch(loop));
}

function unwatch(loop: ReaderLoop): void {
  if (pending.has(loop) || !watching.delete(loop)) return;
  if (!loop.isClosed()) loop.removeReader(readFd);
}

/** A reply was received (on any loop's behalf). @internal */
export function replyReceived(): void {
  inFlight--;
  adjust(refLoop);
}

const scanners = new Set<() => void>();

/**
 * Call `scan` at every ring, to collect replies left in shared memory.
 * @internal
 */
export function onRing(scan: () => void): void {
  scanners.add(scan);
}

/** Stop calling `scan`. @internal */
export function offRing(scan: () => void): void {
  scanners.delete(scan);
}

function rung(loop: LoopLike): void {
  inFlight += drainCount();
  for (const scan of scanners) scan();
  adjust(loop);
}

function adjust(loop: LoopLike | null): void {
  // A loop closed while holding the ref no longer needs releasing.
  if (refLoop !== null && refLoop.isClosed()) refLoop = null;
  if (inFlight > 0 && refLoop === null && loop !== null) {
    refLoop = loop;
    loop[_hostRef](1);
  } else if (inFlight <= 0 && refLoop !== null) {
    const l = refLoop;
    refLoop = null;
    if (!l.isClosed()) l[_hostRef](-1);
  }
}

function drainCount(): number {
  if (readFd === writeFd) {
    // An eventfd read returns the counter (the number of rings) and zeroes it.
    return readOrAgain(readFd, buf.subarray(0, 8)) === 8
      ? Number(counter[0])
      : 0;
  }
  let bytes = 0;
  for (;;) {
    const n = readOrAgain(readFd, buf);
    if (n > 0) bytes += n;
    if (n < buf.length) return Math.floor(bytes / 8);
  }
}
