import assert from "node:assert/strict";
import { run, sleep, ThreadPoolExecutor } from "../../mod.ts";
import { Mailbox } from "../../executors/_mailbox.ts";
import type { FromWorker, ToWorker } from "../../executors/_wire.ts";
import {
  addWork,
  countWork,
  echoWork,
  setFlagLaterWork,
  waitFlagWork,
} from "./_work.ts";
import { flag } from "./_helpers.ts";

const job = (args: unknown[]): ToWorker => ({
  t: "job",
  id: 7,
  work: { kind: "module", moduleUrl: "file:///w.ts", exportName: "f" },
  args,
  fast: true,
});

Deno.test("Mailbox carries a job of primitive arguments in its compact form, values intact", () => {
  const box = new Mailbox(Mailbox.pair(1024), 1);
  const args = [1.5, -0, NaN, "héllo ✓", "", true, false, null, undefined];
  assert.equal(box.write(job(args)), true);
  const back = box.read() as Extract<ToWorker, { t: "job" }>;
  assert.equal(back.id, 7);
  assert.deepEqual(back.work, {
    kind: "module",
    moduleUrl: "file:///w.ts",
    exportName: "f",
  });
  assert.equal(back.args.length, args.length);
  for (let i = 0; i < args.length; i++) {
    assert.ok(Object.is(back.args[i], args[i]));
  }
});

Deno.test("Mailbox refuses a job with an object argument (it goes by postMessage, which shares SharedArrayBuffers)", () => {
  const box = new Mailbox(Mailbox.pair(1024), 1);
  assert.equal(box.write(job([{ a: 1 }])), false);
  assert.equal(
    box.write(job([new Int32Array(new SharedArrayBuffer(4))])),
    false,
  );
});

Deno.test("Mailbox refuses what does not fit, and carries any cloneable reply that fits", () => {
  const box = new Mailbox(Mailbox.pair(256), 0);
  assert.equal(box.write(job(["x".repeat(300)])), false);
  const reply: FromWorker = {
    t: "ok",
    id: 3,
    value: { list: [1, 2], m: new Map([[1, "a"]]) },
  };
  assert.equal(box.write(reply), true);
  assert.deepEqual(box.read(), reply);
  assert.equal(
    box.write({ t: "ok", id: 4, value: new Uint8Array(1000) }),
    false,
  );
  assert.throws(() => box.write({ t: "ok", id: 5, value: () => 1 }));
});

Deno.test("ThreadPoolExecutor: a job by postMessage reaches a thread parked after a shared-memory job", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await run(function* () {
    // A compact job (the thread parks after it), then one with an object
    // argument (postMessage: the thread must leave the park at once).
    assert.equal(yield* pool.submit(addWork, 1, 2), 3);
    assert.deepEqual(yield* pool.submit(echoWork, { a: [1] }), { a: [1] });
    assert.equal(yield* pool.submit(addWork, 2, 3), 5);
  });
});

Deno.test("ThreadPoolExecutor: a job after the thread left its park (slot message) still runs once", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await run(function* () {
    assert.equal(yield* pool.submit(countWork), 1);
    yield* sleep(0.05); // past the park: the thread is back in its event loop
    assert.equal(yield* pool.submit(countWork), 2);
    assert.equal(yield* pool.submit(countWork), 3);
  });
});

Deno.test("ThreadPoolExecutor: jobs from plain code (no loop) after shared-memory jobs reach the parked thread", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await run(function* () {
    assert.equal(yield* pool.submit(addWork, 2, 2), 4);
  });
  // No loop runs here: the job goes by postMessage, the reply too.
  assert.equal(await pool.submit(addWork, 3, 3), 6);
});

Deno.test("ThreadPoolExecutor: shutdown ends a thread parked between jobs", async () => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const hold = flag();
  await run(function* () {
    const busy = pool.submit(waitFlagWork, hold.flag);
    assert.equal(yield* pool.submit(addWork, 1, 1), 2); // the second thread parks
    hold.release();
    assert.equal(yield* busy, 1);
    yield* pool.shutdown();
  });
  assert.throws(() => pool.submit(addWork, 1, 1), /after shutdown/);
});

Deno.test("ThreadPoolExecutor: jobs back to back still leave the thread's own timers a turn", async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const { flag: f } = flag();
  await run(function* () {
    assert.equal(yield* pool.submit(setFlagLaterWork, f), true);
    // Compact jobs without a pause: each finds the thread parked. Its
    // timer must fire anyway (bounded: 5 s, under load).
    const deadline = performance.now() + 5000;
    while (Atomics.load(f, 0) === 0 && performance.now() < deadline) {
      yield* pool.submit(addWork, 1, 1);
    }
  });
  assert.equal(Atomics.load(f, 0), 1);
});
