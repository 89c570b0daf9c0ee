/**
 * The bank, blocking: one teller serves the customers one after another,
 * and waits (blocked, doing nothing else) while the back office works. The
 * time is the sum of all the waits: 10 x 50 ms.
 *
 * Run: `npx deno run --allow-ffi examples/bank_blocking.ts`
 *
 * @module
 */

import { read, write } from "../poll/fd.ts";
import {
  answer,
  BACK_OFFICE,
  closeCounters,
  openCounters,
  report,
} from "./_bank.ts";

const wait = new Int32Array(new SharedArrayBuffer(4));
const t0 = performance.now();
const counters = openCounters();
const buf = new Uint8Array(64);
for (const c of counters) {
  const n = read(c.teller, buf); // blocks until the customer speaks
  Atomics.wait(wait, 0, 0, BACK_OFFICE * 1000); // blocked on the back office
  write(c.teller, answer(buf.subarray(0, n)));
}
report("blocking", (performance.now() - t0) / 1000, closeCounters(counters));
