import assert from "node:assert/strict";
import {
  BrokenExecutor,
  BrokenThreadPool,
  CancelledError,
  createTask,
  FileNotFoundError,
  run,
  RuntimeError,
  sleep,
  ThreadPoolExecutor,
  TimeoutError,
} from "../../mod.ts";
import { FORMS } from "../futures/_forms.ts";
import {
  addWork,
  countWork,
  crashWork,
  echoWork,
  failCustomWork,
  failOsWork,
  failRangeWork,
  fibWork,
  getInitWork,
  initFailWork,
  initWork,
  missingExportWork,
  missingModuleWork,
  sleepyAsyncWork,
  sleepyWork,
  unclonableWork,
  waitFlagWork,
} from "./_work.ts";
import { flag } from "./_helpers.ts";

for (const form of FORMS) {
  Deno.test(`ThreadPoolExecutor.submit() returns the result (${form})`, async () => {
    {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
      const got = form === "generator"
        ? await run(function* () {
          const a = pool.submit(fibWork, 15);
          const b = pool.submit(addWork, 2, 3);
          return [yield* a, yield* b];
        })
        : await run(async () => {
          const a = pool.submit(fibWork, 15);
          const b = pool.submit(addWork, 2, 3);
          return [await a, await b];
        });
      assert.deepEqual(got, [610, 5]);
    }
  });

  Deno.test(`ThreadPoolExecutor.submit() re-raises the work's error with its class, message and the worker's stack (${form})`, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const errors = await run(
      form === "generator"
        ? function* () {
          const out: unknown[] = [];
          for (
            const f of [
              () => pool.submit(failRangeWork, "too far"),
              () => pool.submit(failOsWork),
              () => pool.submit(failCustomWork),
            ]
          ) {
            try {
              yield* f();
            } catch (err) {
              out.push(err);
            }
          }
          return out;
        }
        : async () => {
          const out: unknown[] = [];
          for (
            const f of [
              () => pool.submit(failRangeWork, "too far"),
              () => pool.submit(failOsWork),
              () => pool.submit(failCustomWork),
            ]
          ) {
            try {
              await f();
            } catch (err) {
              out.push(err);
            }
          }
          return out;
        },
    );
    const [range, os, custom] = errors as Error[];
    assert.ok(range instanceof RangeError);
    assert.equal(range.message, "too far");
    assert.match(range.stack!, /failRange/);
    assert.ok(os instanceof FileNotFoundError);
    assert.equal((os as FileNotFoundError).errno, 2);
    assert.equal((os as FileNotFoundError).syscall, "open");
    assert.equal(custom.name, "ParseError");
    assert.equal(custom.message, "bad token");
    assert.match(custom.stack!, /failCustom/);
  });

  Deno.test(`ThreadPoolExecutor.map() yields results in input order (${form})`, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const items = [[25], [1], [20], [2], [3]] as [number][];
    for (const chunksize of [1, 2]) {
      const got = form === "generator"
        ? await run(function* () {
          const out: number[] = [];
          for (const f of pool.map(fibWork, items, { chunksize })) {
            out.push(yield* f);
          }
          return out;
        })
        : await run(async () => {
          const out: number[] = [];
          for await (const r of pool.map(fibWork, items, { chunksize })) {
            out.push(r);
          }
          return out;
        });
      assert.deepEqual(got, [75025, 1, 6765, 1, 2]);
    }
  });

  Deno.test(`ThreadPoolExecutor runs a generator or async export as a task on the worker's own loop (${form})`, async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const got = form === "generator"
      ? await run(function* () {
        return [
          yield* pool.submit(sleepyWork, 4),
          yield* pool.submit(sleepyAsyncWork, 4),
        ];
      })
      : await run(async () => [
        await pool.submit(sleepyWork, 4),
        await pool.submit(sleepyAsyncWork, 4),
      ]);
    assert.deepEqual(got, [8, 12]);
  });
}

Deno.test("ThreadPoolExecutor.submit() works outside any loop (await)", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  assert.equal(await pool.submit(addWork, 40, 2), 42);
});

// The tree Node and Bun run holds the work modules as .js (see
// scripts/test_runtimes.ts), so the names are matched with either ending.
Deno.test("ThreadPoolExecutor.submit() names a missing export or module", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await assert.rejects(
    async () => await pool.submit(missingExportWork),
    (err: Error) =>
      err instanceof ReferenceError && /noSuchExport/.test(err.message) &&
      /_work\.[jt]s/.test(err.message),
  );
  await assert.rejects(
    async () => await pool.submit(missingModuleWork),
    (err: Error) =>
      err instanceof TypeError && /_no_such_module\.[jt]s/.test(err.message),
  );
  // The pool is not broken by it.
  assert.equal(await pool.submit(addWork, 1, 1), 2);
});

Deno.test("ThreadPoolExecutor.submit() refuses an argument that cannot be cloned, before anything runs", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  // Busy thread: the next job would be queued.
  const busy = pool.submit(waitFlagWork, hold.flag);
  assert.throws(
    () => pool.submit(echoWork, () => 1),
    (err: Error) => err instanceof TypeError && /cloned/.test(err.message),
  );
  hold.release();
  assert.equal(await busy, 1);
  // Idle thread: posted at once, refused at once.
  assert.throws(() => pool.submit(echoWork, Symbol("s")), TypeError);
  assert.equal(await pool.submit(countWork), 1, "nothing else ran");
});

Deno.test("ThreadPoolExecutor.submit() fails a result that cannot be cloned with TypeError", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await assert.rejects(
    async () => await pool.submit(unclonableWork),
    TypeError,
  );
});

Deno.test("ThreadPoolExecutor.submit() refuses a function instead of a work reference", () => {
  using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => pool.submit((() => 1) as any),
    (err: Error) =>
      err instanceof TypeError && /functions cannot cross/.test(err.message),
  );
});

Deno.test("ThreadPoolExecutor.submit() after shutdown() is a RuntimeError", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await pool.shutdown();
  assert.throws(() => pool.submit(addWork, 1, 2), RuntimeError);
});

Deno.test("ThreadPoolExecutor: cancelling a queued future removes it from the queue", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  await run(function* () {
    const busy = pool.submit(waitFlagWork, hold.flag);
    const queued = pool.submit(countWork);
    assert.equal(queued.cancel(), true);
    hold.release();
    assert.equal(yield* busy, 1);
    assert.ok(queued.cancelled());
    // The cancelled job never ran in the (only) thread.
    assert.equal(yield* pool.submit(countWork), 1);
  });
});

Deno.test("ThreadPoolExecutor: cancelling a running job's future drops its result", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  await run(function* () {
    const running = pool.submit(waitFlagWork, hold.flag);
    yield* sleep(0.01);
    running.cancel();
    hold.release();
    try {
      yield* running;
      assert.fail("not cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    // The thread finished the job and is usable again.
    assert.equal(yield* pool.submit(addWork, 1, 2), 3);
  });
});

Deno.test("ThreadPoolExecutor.shutdown({ cancelFutures }) cancels queued jobs and waits for the running one", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  await run(async () => {
    const running = pool.submit(waitFlagWork, hold.flag);
    const queued = pool.submit(countWork);
    const done = pool.shutdown({ wait: true, cancelFutures: true });
    assert.ok(queued.cancelled());
    assert.equal(done.done(), false);
    hold.release();
    await done;
    assert.equal(running.result(), 1);
  });
});

Deno.test("ThreadPoolExecutor.shutdown({ wait: false }) returns at once; queued jobs still run", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  await run(async () => {
    const running = pool.submit(waitFlagWork, hold.flag);
    const queued = pool.submit(addWork, 1, 2);
    const done = pool.shutdown({ wait: false });
    assert.ok(done.done());
    hold.release();
    assert.equal(await running, 1);
    assert.equal(await queued, 3);
  });
});

Deno.test("ThreadPoolExecutor.map() fails with TimeoutError after timeout and cancels the rest", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  await run(async () => {
    const results = pool.map(waitFlagWork, [[hold.flag], [hold.flag]], {
      timeout: 0.02,
    });
    const it = results[Symbol.iterator]();
    const first = it.next().value!;
    await assert.rejects(async () => await first, TimeoutError);
    assert.equal(it.next().done, true);
    hold.release();
  });
});

Deno.test("ThreadPoolExecutor.map() with buffersize submits lazily from an endless iterable", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  function* naturals(): Generator<[number, number]> {
    for (let i = 0;; i++) yield [i, i];
  }
  const out: number[] = [];
  await run(async () => {
    for await (const r of pool.map(addWork, naturals(), { buffersize: 2 })) {
      out.push(r);
      if (out.length === 5) break;
    }
  });
  assert.deepEqual(out, [0, 2, 4, 6, 8]);
});

Deno.test("ThreadPoolExecutor.map() refuses a bad chunksize", () => {
  using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  assert.throws(() => pool.map(addWork, [], { chunksize: 0 }), RangeError);
});

Deno.test("ThreadPoolExecutor: a crashed thread fails its futures with BrokenThreadPool; a new pool works", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await run(async () => {
    const doomed = pool.submit(crashWork);
    const queued = pool.submit(addWork, 1, 2);
    await assert.rejects(async () => await doomed, BrokenThreadPool);
    await assert.rejects(async () => await queued, BrokenExecutor);
    assert.equal(pool.broken, true);
    assert.throws(() => pool.submit(addWork, 1, 2), BrokenThreadPool);
  });
  await pool.shutdown();
  await using fresh = new ThreadPoolExecutor({ maxWorkers: 1 });
  assert.equal(await fresh.submit(addWork, 1, 2), 3);
});

Deno.test("ThreadPoolExecutor initializer runs in each thread before its jobs", async () => {
  await using pool = new ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: initWork,
    initargs: ["configured"],
  });
  assert.equal(await pool.submit(getInitWork), "configured");
});

Deno.test("ThreadPoolExecutor: a failing initializer breaks the pool with the error as cause", async () => {
  const pool = new ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: initFailWork,
  });
  await assert.rejects(
    async () => await pool.submit(addWork, 1, 2),
    (err: Error) =>
      err instanceof BrokenThreadPool && err.cause instanceof TypeError &&
      (err.cause as Error).message === "no config",
  );
  assert.throws(() => pool.submit(addWork, 1, 2), BrokenThreadPool);
  await pool.shutdown();
});

Deno.test("ThreadPoolExecutor refuses a bad maxWorkers or initializer", () => {
  assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 0 }), RangeError);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new ThreadPoolExecutor({ initializer: (() => {}) as any }),
    TypeError,
  );
});

Deno.test("ThreadPoolExecutor starts threads lazily, only when none is idle", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
  await run(function* () {
    // Sequential jobs reuse the one thread: its counter keeps counting.
    for (let i = 1; i <= 3; i++) assert.equal(yield* pool.submit(countWork), i);
  });
});

Deno.test("ThreadPoolExecutor: a task keeps running on the loop while a thread is busy", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const hold = flag();
  await run(function* () {
    const job = pool.submit(waitFlagWork, hold.flag);
    let ticks = 0;
    const ticker = createTask(function* () {
      for (; ticks < 5; ticks++) yield* sleep(0.001);
      hold.release();
    });
    assert.equal(yield* job, 1);
    yield* ticker;
    assert.equal(ticks, 5);
  });
});

Deno.test("ThreadPoolExecutor disposal shuts it down (using: no wait; await using: waits)", async () => {
  let kept: ThreadPoolExecutor;
  {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    kept = pool;
  }
  assert.throws(() => kept.submit(addWork, 1, 2), RuntimeError);
  let job: Promise<number> | null = null;
  {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    kept = pool;
    job = Promise.resolve(pool.submit(addWork, 2, 2));
  }
  assert.equal(await job, 4);
  assert.throws(() => kept.submit(addWork, 1, 2), RuntimeError);
});

Deno.test("ThreadPoolExecutor returns small and large replies (shared slot and postMessage)", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
  const got = await run(function* () {
    return [
      yield* pool.submit(echoWork, "small"),
      yield* pool.submit(echoWork, big),
      yield* pool.submit(echoWork, { n: 1n }),
    ];
  });
  assert.deepEqual(got, ["small", big, { n: 1n }]);
});
