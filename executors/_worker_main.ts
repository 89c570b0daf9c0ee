/**
 * The body of a `ThreadPoolExecutor` thread (loaded by _worker.js): runs one job
 * at a time as the pool sends them and posts each outcome back.
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./_wire.ts";
import { toWire } from "./_wire.ts";
import { serve } from "./_serve.ts";
import { Wakeup } from "../poll/wakeup.ts";
import { serialize } from "node:v8";

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(msg: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;

// One message at a time, in order: the initializer runs before any job.
let chain: Promise<void> = Promise.resolve();
let initFailed = false;
// The doorbell to ring after each reply (see _doorbell.ts), and the
// shared reply slot: [state (1: a reply waits), length] then the bytes.
let bell = -1;
let slotHead: Int32Array | null = null;
let slotBytes: Uint8Array | null = null;

/**
 * Take over the Worker's messages; `early` are those that arrived while
 * this module was loading (_worker.js kept them), handled first.
 * @internal
 */
export function start(early: MessageEvent<ToWorker>[]): void {
  scope.onmessage = (e) => {
    chain = chain.then(() => handle(e.data));
  };
  for (const e of early) chain = chain.then(() => handle(e.data));
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.t === "bell") {
    bell = msg.fd;
    slotHead = new Int32Array(msg.reply, 0, 2);
    slotBytes = new Uint8Array(msg.reply, 8);
    return;
  }
  // After a failed initializer the pool is broken and will end us.
  if (initFailed) return;
  const reply = await serve(msg);
  if (reply.t === "initFailed") initFailed = true;
  const fast = msg.t !== "init" && msg.fast === true;
  try {
    post(reply, fast);
  } catch (err) {
    // The result could not be cloned: report that instead.
    if (reply.t !== "ok") throw err;
    post({
      t: "err",
      id: reply.id,
      error: toWire(
        new TypeError(
          `Cannot return the work's result: it cannot be cloned (${
            err instanceof Error ? err.message : String(err)
          })`,
        ),
      ),
    }, fast);
  }
}

/**
 * Send `reply`. On the fast path (the loop watches the doorbell) a reply
 * that fits goes through the shared slot: the loop reads it as soon as the
 * doorbell wakes it, with no host turn (a Worker message is only
 * dispatched on one). Otherwise, and for large replies, postMessage.
 */
function post(reply: FromWorker, fast: boolean): void {
  if (fast && slotHead !== null && slotBytes !== null) {
    const bytes = serialize(reply); // throws if it cannot be cloned
    if (bytes.length <= slotBytes.length) {
      slotBytes.set(bytes);
      Atomics.store(slotHead, 1, bytes.length);
      Atomics.store(slotHead, 0, 1);
      if (bell >= 0) Wakeup.signalFd(bell);
      // Should the loop be gone (closed before the reply came), the pool
      // still collects it on a host turn.
      scope.postMessage({ t: "poke" } satisfies FromWorker);
      return;
    }
  }
  scope.postMessage(reply);
  if (bell >= 0) Wakeup.signalFd(bell);
}
