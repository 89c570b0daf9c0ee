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

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(msg: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;

// One message at a time, in order: the initializer runs before any job.
let chain: Promise<void> = Promise.resolve();
let initFailed = false;
// The doorbell to ring after each reply (see _doorbell.ts).
let bell = -1;

scope.onmessage = (e) => {
  chain = chain.then(() => handle(e.data));
};

async function handle(msg: ToWorker): Promise<void> {
  if (msg.t === "bell") {
    bell = msg.fd;
    return;
  }
  // After a failed initializer the pool is broken and will end us.
  if (initFailed) return;
  const reply = await serve(msg);
  if (reply.t === "initFailed") initFailed = true;
  try {
    post(reply);
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
    });
  }
}

function post(reply: FromWorker): void {
  scope.postMessage(reply);
  if (bell >= 0) Wakeup.signalFd(bell);
}
