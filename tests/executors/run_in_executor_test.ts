import assert from "node:assert/strict";
import {
  EventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  RuntimeError,
  ThreadPoolExecutor,
  toThread,
  wrapFuture,
} from "../../mod.ts";
import { PollSelector, type SelectResult } from "../../poll/mod.ts";
import { FORMS } from "../futures/_forms.ts";
import { addWork, countWork, fibWork, waitFlagWork } from "./_work.ts";
import { flag } from "./_helpers.ts";

for (const form of FORMS) {
  Deno.test(`toThread() runs work in the default executor (${form})`, async () => {
    const got = form === "generator"
      ? await run(function* () {
        return yield* toThread(addWork, 20, 22);
      })
      : await run(async () => await toThread(addWork, 20, 22));
    assert.equal(got, 42);
  });

  Deno.test(`loop.runInExecutor() uses the given executor or the default (${form})`, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const got = form === "generator"
      ? await run(function* () {
        const loop = getRunningLoop();
        return [
          yield* loop.runInExecutor(pool, fibWork, 10),
          yield* loop.runInExecutor(null, fibWork, 11),
        ];
      })
      : await run(async () => {
        const loop = getRunningLoop();
        return [
          await loop.runInExecutor(pool, fibWork, 10),
          await loop.runInExecutor(null, fibWork, 11),
        ];
      });
    assert.deepEqual(got, [55, 89]);
  });
}

Deno.test("run() shuts the default executor down on exit", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await run(function* () {
    getRunningLoop().setDefaultExecutor(pool);
    assert.equal(yield* toThread(countWork), 1);
  });
  assert.throws(() => pool.submit(countWork), RuntimeError);
});

Deno.test("loop.shutdownDefaultExecutor() refuses later runInExecutor(null, ...)", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    yield* toThread(addWork, 1, 1);
    yield* loop.shutdownDefaultExecutor();
    assert.throws(() => loop.runInExecutor(null, addWork, 1, 1), RuntimeError);
  });
});

Deno.test("loop.setDefaultExecutor() refuses what is not an Executor", () => {
  using loop = newEventLoop();
  // deno-lint-ignore no-explicit-any
  assert.throws(() => loop.setDefaultExecutor({} as any), TypeError);
});

Deno.test("loop.runInExecutor() on a closed loop is a RuntimeError", () => {
  const loop = newEventLoop();
  loop.close();
  assert.throws(() => loop.runInExecutor(null, addWork, 1, 1), RuntimeError);
});

Deno.test("toThread() outside a running loop throws", () => {
  assert.throws(() => toThread(addWork, 1, 1), /no running event loop/);
});

Deno.test("wrapFuture() moves a future made outside any loop onto the loop", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const outside = pool.submit(addWork, 2, 2);
  const got = await run(function* () {
    const f = wrapFuture(outside);
    assert.equal(f.getLoop(), getRunningLoop());
    return yield* f;
  });
  assert.equal(got, 4);
  await run(function* () {
    const f = pool.submit(addWork, 1, 1);
    assert.equal(wrapFuture(f), f, "already on this loop");
    yield* f;
  });
  await run(function* () {
    assert.throws(() => wrapFuture(42 as never), TypeError);
  });
});

/** A selector that records how each wait was made. */
class RecordingSelector extends PollSelector<unknown> {
  syncBlocking = 0;
  syncWoken = 0;
  pooled = 0;
  override select(timeout?: number | null): SelectResult<unknown> {
    const r = super.select(timeout);
    if (timeout == null || timeout > 0) {
      this.syncBlocking++;
      if (r.length > 0) this.syncWoken++;
    }
    return r;
  }
  override selectAsync(
    timeout?: number | null,
  ): Promise<SelectResult<unknown>> {
    this.pooled++;
    return super.selectAsync(timeout);
  }
}

Deno.test("a pool thread wakes a loop blocked in its selector", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const sel = new RecordingSelector();
  // A long host delay: the loop may wait synchronously for up to 5 s.
  const loop = new EventLoop({ selector: sel, hostDelay: 5 });
  const hold = flag();
  // Released from another thread while the loop is blocked in select().
  const releaser = new ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    const got = await loop.runUntilComplete(function* () {
      const job = pool.submit(waitFlagWork, hold.flag);
      // The releaser's job just waits 30 ms, then lets the first one go.
      const release = releaser.submit(fibWork, 25);
      yield* release;
      hold.release();
      return yield* job;
    });
    assert.equal(got, 1);
    // The loop waited synchronously (nothing ready) and was woken from that
    // wait by a thread's doorbell.
    assert.ok(sel.syncWoken >= 1, `woken ${sel.syncWoken} times`);
  } finally {
    loop.close();
    await releaser.shutdown();
  }
});

Deno.test("a virtual clock does not jump past pending thread work", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await run(function* () {
    const loop = getRunningLoop();
    const t0 = loop.time();
    // A timer far ahead: jumping to it while the job runs would be wrong.
    const far = loop.callLater(60, () => {});
    assert.equal(yield* pool.submit(fibWork, 22), 17711);
    assert.ok(loop.time() - t0 < 60, `jumped to ${loop.time() - t0}`);
    far.cancel();
  }, { clock: "virtual" });
});
