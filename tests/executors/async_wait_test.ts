/**
 * How a loop waits while async-function tasks await executor jobs: on the
 * selector, woken by the job's doorbell, not through a pooled wait per
 * call; host callbacks still run within hostDelay.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EventLoop, ThreadPoolExecutor, toThread } from "../../mod.ts";
import { PollSelector, type SelectResult } from "../../poll/mod.ts";
import { addWork, waitFlagWork } from "./_work.ts";
import { flag } from "./_helpers.ts";

class PooledCounter extends PollSelector<unknown> {
  pooled = 0;
  override selectAsync(
    timeout?: number | null,
  ): Promise<SelectResult<unknown>> {
    this.pooled++;
    return super.selectAsync(timeout);
  }
}

Deno.test("an async function awaiting toThread() in a row makes no pooled wait per call", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const sel = new PooledCounter();
  // A long host delay: no host turn is owed during the calls.
  const loop = new EventLoop({ selector: sel, hostDelay: 5 });
  loop.setDefaultExecutor(pool);
  const calls = 50;
  try {
    const sum = await loop.runUntilComplete(async () => {
      await toThread(addWork, 0, 0); // starts the pool thread
      const before = sel.pooled;
      let s = 0;
      for (let i = 0; i < calls; i++) s += await toThread(addWork, i, 1);
      return { s, pooled: sel.pooled - before };
    });
    assert.equal(sum.s, calls * (calls + 1) / 2);
    // A pooled wait per call was the old way; a few host turns may remain.
    assert.ok(sum.pooled < calls / 2, `${sum.pooled} pooled waits`);
  } finally {
    loop.close();
  }
});

Deno.test("a host timer fires within hostDelay while an async function awaits a pool job", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const loop = new EventLoop({ selector: new PollSelector() });
  const hold = flag();
  let late = -1;
  try {
    await loop.runUntilComplete(async () => {
      const t0 = performance.now();
      // Only the host timer releases the job: a loop that never gave the
      // host a turn would wait forever.
      const timer = setTimeout(() => {
        late = performance.now() - t0 - 100;
        hold.release();
      }, 100);
      try {
        assert.equal(await pool.submit(waitFlagWork, hold.flag), 1);
      } finally {
        clearTimeout(timer);
      }
    });
    assert.ok(late >= 0 && late < 15, `host timer ${late.toFixed(1)} ms late`);
  } finally {
    loop.close();
  }
});
