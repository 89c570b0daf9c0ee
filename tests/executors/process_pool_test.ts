import assert from "node:assert/strict";
import {
  BrokenProcessPool,
  ProcessPoolExecutor,
  run,
  RuntimeError,
} from "../../mod.ts";
import { killProcess, waitpidNoHang } from "../../poll/spawn.ts";
import { noLeak, test } from "../poll/_helpers.ts";
import { FORMS } from "../futures/_forms.ts";
import {
  addWork,
  countWork,
  echoWork,
  failRangeWork,
  fibWork,
  getInitWork,
  initFailWork,
  initWork,
  pidWork,
  sleepyWork,
} from "./_work.ts";

/** Wait until child `pid` has exited (reaped by the pool or by us). */
async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    try {
      if (waitpidNoHang(pid) !== null) return;
    } catch {
      return; // Already reaped by the pool.
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`child ${pid} is still running`);
}

for (const form of FORMS) {
  test(`ProcessPoolExecutor.submit() returns results from another process (${form})`, async () => {
    let pid = 0;
    await noLeak(async () => {
      const got = form === "generator"
        ? await run(function* () {
          const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
          try {
            pid = yield* pool.submit(pidWork);
            return [
              yield* pool.submit(fibWork, 15),
              yield* pool.submit(echoWork, { a: [1n, new Uint8Array([2])] }),
              yield* pool.submit(sleepyWork, 5),
            ];
          } finally {
            yield* pool.shutdown();
          }
        })
        : await run(async () => {
          await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
          pid = await pool.submit(pidWork);
          return [
            await pool.submit(fibWork, 15),
            await pool.submit(echoWork, { a: [1n, new Uint8Array([2])] }),
            await pool.submit(sleepyWork, 5),
          ];
        });
      assert.deepEqual(got, [610, { a: [1n, new Uint8Array([2])] }, 10]);
      assert.notEqual(pid, Deno.pid);
      await gone(pid);
    });
  });
}

test("ProcessPoolExecutor.submit() re-raises the child's error with its class", async () => {
  await run(async () => {
    await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    await assert.rejects(
      async () => await pool.submit(failRangeWork, "out"),
      (err: Error) =>
        err instanceof RangeError && err.message === "out" &&
        /failRange/.test(err.stack!),
    );
  });
});

test("ProcessPoolExecutor: a child killed by a signal breaks the pool; a new pool works", async () => {
  await run(async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const pid = await pool.submit(pidWork);
    // Seconds of work: the child is killed in the middle of it.
    const hung = pool.submit(fibWork, 40);
    killProcess(pid, "SIGKILL");
    await assert.rejects(async () => await hung, BrokenProcessPool);
    assert.equal(pool.broken, true);
    assert.throws(() => pool.submit(addWork, 1, 2), BrokenProcessPool);
    await pool.shutdown();
    await gone(pid);
    await using fresh = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.equal(await fresh.submit(addWork, 1, 2), 3);
  });
});

test("ProcessPoolExecutor maxTasksPerChild replaces a child after that many jobs", async () => {
  await run(async () => {
    await using pool = new ProcessPoolExecutor({
      maxWorkers: 1,
      maxTasksPerChild: 2,
    });
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) counts.push(await pool.submit(countWork));
    assert.deepEqual(counts, [1, 2, 1, 2]);
  });
});

test("ProcessPoolExecutor initializer runs in each child; a failing one breaks the pool", async () => {
  await run(async () => {
    await using ok = new ProcessPoolExecutor({
      maxWorkers: 1,
      initializer: initWork,
      initargs: ["set"],
    });
    assert.equal(await ok.submit(getInitWork), "set");
    const bad = new ProcessPoolExecutor({
      maxWorkers: 1,
      initializer: initFailWork,
    });
    await assert.rejects(
      async () => await bad.submit(addWork, 1, 2),
      (err: Error) =>
        err instanceof BrokenProcessPool && err.cause instanceof TypeError,
    );
    await bad.shutdown();
  });
});

test("ProcessPoolExecutor.submit() outside a running loop is a RuntimeError", async () => {
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  assert.throws(() => pool.submit(addWork, 1, 2), RuntimeError);
});

test("ProcessPoolExecutor.submit() refuses an argument that cannot be cloned", async () => {
  await run(async () => {
    await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => pool.submit(echoWork, () => 1), TypeError);
    assert.equal(await pool.submit(countWork), 1, "nothing ran before");
  });
});
