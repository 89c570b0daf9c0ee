/**
 * The bank, asynchronous: a task per customer on our event loop. Each task
 * waits for its customer's request (`addReader` underneath) and for the
 * back office (`sleep`); while one waits, the loop runs the others, which
 * is what the hand-written poll loop did, without writing the loop.
 *
 * Run: `npx deno run --allow-ffi examples/bank_async.ts`
 *
 * @module
 */

import {
  type Coro,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
} from "../mod.ts";
import { readOrAgain, write } from "../poll/fd.ts";
import {
  answer,
  BACK_OFFICE,
  closeCounters,
  type Counter,
  openCounters,
  report,
} from "./_bank.ts";

function* readable(fd: number): Coro<void> {
  const loop = getRunningLoop();
  const ready = loop.createFuture<void>();
  loop.addReader(fd, () => {
    loop.removeReader(fd);
    ready.setResult();
  });
  yield* ready;
}

function* serve(c: Counter): Coro<void> {
  const buf = new Uint8Array(64);
  let n = readOrAgain(c.teller, buf);
  while (n < 0) {
    yield* readable(c.teller);
    n = readOrAgain(c.teller, buf);
  }
  yield* sleep(BACK_OFFICE); // the back office, without blocking anyone
  write(c.teller, answer(buf.subarray(0, n)));
}

const t0 = performance.now();
const counters = openCounters({ nonblocking: true });
await run(function* () {
  yield* gather(...counters.map((c) => createTask(serve(c))));
});
report(
  "asynchronous",
  (performance.now() - t0) / 1000,
  closeCounters(counters),
);
