/**
 * Test scaffolding: a `node:worker_threads` worker (Deno, Node and Bun)
 * that answers "ready" 20 ms after any message, from another thread.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";

parentPort!.on("message", () => {
  setTimeout(() => parentPort!.postMessage("ready"), 20);
});
