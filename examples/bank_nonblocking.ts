/**
 * The bank, non-blocking, by hand: one teller, non-blocking sockets and a
 * `poll()` loop written out (poll/ directly, no event loop). The teller
 * takes every request that is ready, notes when the back office will have
 * the answer, and sleeps in `select` only until the next thing happens.
 * The waits overlap: about 50 ms in all.
 *
 * Run: `npx deno run --allow-ffi examples/bank_nonblocking.ts`
 *
 * @module
 */

import { EVENT_READ, PollSelector } from "../poll/mod.ts";
import { readOrAgain, write } from "../poll/fd.ts";
import {
  answer,
  BACK_OFFICE,
  closeCounters,
  type Counter,
  openCounters,
  report,
} from "./_bank.ts";

const t0 = performance.now();
const counters = openCounters({ nonblocking: true });
using sel = new PollSelector<Counter>();
for (const c of counters) sel.register(c.teller, EVENT_READ, c);

// Answers the back office is preparing: [when ready (ms), counter, reply].
const pending: [number, Counter, Uint8Array][] = [];
let served = 0;
const buf = new Uint8Array(64);
while (served < counters.length) {
  const now = performance.now();
  const next = pending.length > 0
    ? Math.max(0, pending[0][0] - now) / 1000
    : null;
  for (const [key] of sel.select(next)) {
    const c = key.data!;
    const n = readOrAgain(c.teller, buf);
    if (n <= 0) continue;
    sel.unregister(c.teller);
    pending.push([
      performance.now() + BACK_OFFICE * 1000,
      c,
      answer(buf.subarray(0, n)),
    ]);
  }
  while (pending.length > 0 && pending[0][0] <= performance.now()) {
    const [, c, reply] = pending.shift()!;
    write(c.teller, reply);
    served++;
  }
}
report("nonblocking", (performance.now() - t0) / 1000, closeCounters(counters));
