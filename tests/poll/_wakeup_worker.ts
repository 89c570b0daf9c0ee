/**
 * Test scaffolding: a Worker that is sent a wake-up fd number and signals
 * it, as an executor thread would.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { Wakeup } from "../../poll/wakeup.ts";

self.onmessage = (e: MessageEvent<number>) => {
  Wakeup.signalFd(e.data);
  self.postMessage("sent");
};
