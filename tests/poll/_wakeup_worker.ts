/**
 * Test scaffolding: a `node:worker_threads` worker (Deno, Node and Bun)
 * that is sent a wake-up fd number and signals it, as an executor thread
 * would.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { Wakeup } from "../../poll/wakeup.ts";

parentPort!.on("message", (fd: number) => {
  Wakeup.signalFd(fd);
  parentPort!.postMessage("sent");
});
