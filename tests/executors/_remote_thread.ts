/**
 * Test scaffolding: a bare `node:worker_threads` thread (not a pool
 * thread; Deno, Node and Bun) given a LoopPort's remote end: asks the loop
 * for mulLater(6, 7) from plain code and posts the answer back.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { runCoroutineThreadsafe } from "../../executors/threadsafe.ts";
import type { RemoteLoop } from "../../mod.ts";
import { mulLaterWork } from "./_work.ts";

parentPort!.on("message", async (remote: RemoteLoop) => {
  const r = await runCoroutineThreadsafe(mulLaterWork, remote, 6, 7);
  parentPort!.postMessage(r);
});
