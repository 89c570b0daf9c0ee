/**
 * The body of a `ThreadPoolExecutor` thread (loaded by _worker.js): runs one job
 * at a time as the pool sends them and sends each outcome back.
 *
 * Jobs and replies go through shared mailboxes when the caller's loop
 * watches the doorbell (`_mailbox.ts`, `_doorbell.ts`); after such a reply
 * the thread parks, waiting for the next job without a host turn.
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./_wire.ts";
import { unclonableResult } from "./_wire.ts";
import { serve } from "./_serve.ts";
import {
  EMPTY,
  FULL,
  IDLE,
  JOB,
  LINGER,
  Mailbox,
  PARKED,
  WAKE,
} from "./_mailbox.ts";
import { Wakeup } from "../poll/wakeup.ts";
import { _transferList } from "./transfer.ts";
import { threadPort } from "./_host.ts";

const port = threadPort();

// One message at a time, in order: the initializer runs before any job.
let chain: Promise<void> = Promise.resolve();
let initFailed = false;
// The doorbell to ring after each reply, and the two mailboxes.
let bell = -1;
let replies: Mailbox | null = null;
let jobs: Mailbox | null = null;
// When this thread's event loop last dispatched a message to us: it had
// a turn then (timers and promises the work left behind ran).
let lastTurn = 0;

/**
 * Take over the Worker's messages; `early` are those that arrived while
 * this module was loading (_worker.js kept them), handled first.
 * @internal
 */
export function start(early: ToWorker[] = []): void {
  for (const m of early) chain = chain.then(() => handle(m));
  port.listen((m) => {
    chain = chain.then(() => handle(m as ToWorker));
  });
}

async function handle(msg: ToWorker): Promise<void> {
  lastTurn = performance.now();
  if (msg.t === "bell") {
    bell = msg.fd;
    replies = new Mailbox(msg.boxes, 0);
    jobs = new Mailbox(msg.boxes, 1);
    return;
  }
  if (msg.t === "exit") {
    // Between messages, so never inside a native call (see _host.ts).
    port.close();
    return;
  }
  if (msg.t === "slot") {
    // The job left in the box while we were not parked, unless a park
    // took it already.
    if (jobs !== null && jobs.cas(JOB, IDLE) === JOB) {
      await runJobs(jobs.read() as ToWorker);
    }
    return;
  }
  // This message came by postMessage: a WAKE before it is consumed.
  jobs?.cas(WAKE, IDLE);
  await runJobs(msg);
}

/** Run `msg`, then, while jobs come through the box, those too. */
async function runJobs(msg: ToWorker): Promise<void> {
  for (;;) {
    // After a failed initializer the pool is broken and will end us.
    if (
      initFailed || msg.t === "bell" || msg.t === "slot" || msg.t === "exit"
    ) return;
    const reply = await serve(msg);
    if (reply.t === "initFailed") initFailed = true;
    const fast = msg.t !== "init" && msg.fast === true;
    // Jobs back to back would keep the thread parked for good: give its
    // event loop a turn at least every LINGER ms (the next job then comes
    // with a slot message).
    const park = fast && performance.now() - lastTurn < LINGER;
    // Parked from now on, before the reply rings the loop: a job sent the
    // moment the reply lands finds PARKED and needs no slot message (an
    // Atomics.wait on a state that changed meanwhile returns at once).
    if (park) jobs?.cas(IDLE, PARKED);
    try {
      send(reply, fast);
    } catch (err) {
      // The result could not be cloned: report that instead.
      if (reply.t !== "ok") throw err;
      send(unclonableResult(reply.id, err), fast);
    }
    if (!park || jobs === null) {
      if (fast) unpark();
      return;
    }
    const next = parkFor(jobs);
    if (next === null) return;
    msg = next;
  }
}

/**
 * Wait up to LINGER ms for a job in the box; null if none came (or a
 * postMessage is announced), and then the thread returns to its event loop.
 */
function parkFor(box: Mailbox): ToWorker | null {
  const deadline = performance.now() + LINGER;
  let s = box.cas(IDLE, PARKED);
  while (s === IDLE || s === PARKED) {
    const left = deadline - performance.now();
    if (left <= 0) {
      s = box.cas(PARKED, IDLE);
      if (s === PARKED) {
        unpark();
        return null;
      }
      break;
    }
    s = box.wait(PARKED, left);
  }
  if (s === JOB && box.cas(JOB, IDLE) === JOB) return box.read() as ToWorker;
  // WAKE: the message follows by postMessage.
  box.cas(WAKE, IDLE);
  return null;
}

/**
 * Back to the event loop with a reply the pool has not collected (its
 * loop was busy, stopped or closed): say so by postMessage, which is
 * dispatched on a host turn, so the reply is collected without a ring.
 */
function unpark(): void {
  if (replies !== null && replies.state === FULL) {
    port.post({ t: "poke" } satisfies FromWorker, []);
  }
}

/**
 * Send `reply`: through the reply box when the loop watches the doorbell
 * and it fits (the loop reads it as soon as the doorbell wakes it, with no
 * host turn), else by postMessage; then ring.
 */
function send(reply: FromWorker, fast: boolean): void {
  const moves = reply.t === "ok" ? _transferList([reply.value]) : [];
  if (
    fast && moves.length === 0 && replies !== null &&
    replies.state === EMPTY && replies.write(reply)
  ) {
    replies.swap(FULL);
  } else {
    port.post(reply, moves);
  }
  if (bell >= 0) Wakeup.signalFd(bell);
}
