import assert from "node:assert/strict";
import {
  Barrier,
  BrokenBarrierError,
  createTask,
  gather,
  run,
  sleep,
} from "../../mod.ts";

Deno.test("Barrier rejects parties that are not a positive integer", () => {
  assert.throws(() => new Barrier(0), RangeError);
  assert.throws(() => new Barrier(2.5), RangeError);
});

Deno.test("Barrier.wait() releases all parties together with distinct indices", async () => {
  await run(function* () {
    const b = new Barrier(3);
    const t1 = createTask(() => b.wait());
    const t2 = createTask(function* () {
      return yield* b.wait();
    });
    yield* sleep(0);
    yield* sleep(0);
    assert.equal(b.nWaiting, 2);
    const t3 = createTask(() => b.wait());
    const idx = yield* gather(t1, t2, t3);
    assert.deepEqual([...idx].sort(), [0, 1, 2]);
    assert.equal(b.nWaiting, 0);
  }, { clock: "virtual" });
});

Deno.test("Barrier can be used for several rounds", async () => {
  await run(function* () {
    const b = new Barrier(2);
    for (let round = 0; round < 3; round++) {
      const r = yield* gather(
        createTask(() => b.wait()),
        createTask(() => b.wait()),
      );
      assert.deepEqual([...r].sort(), [0, 1]);
    }
  }, { clock: "virtual" });
});

Deno.test("Barrier.abort() breaks waiting and later wait() calls", async () => {
  await run(function* () {
    const b = new Barrier(2);
    const t = createTask(() => b.wait());
    yield* sleep(0);
    yield* sleep(0);
    yield* b.abort();
    assert.ok(b.broken);
    const [r] = yield* gather([t], { returnExceptions: true });
    assert.ok(r instanceof BrokenBarrierError);
    const [r2] = yield* gather([createTask(() => b.wait())], {
      returnExceptions: true,
    });
    assert.ok(r2 instanceof BrokenBarrierError);
  }, { clock: "virtual" });
});

Deno.test("Barrier.reset() fails current waiters and refills", async () => {
  await run(async () => {
    const b = new Barrier(2);
    const t = createTask(() => b.wait());
    await sleep(0);
    await sleep(0);
    await b.reset();
    const [r] = await gather([t], { returnExceptions: true });
    assert.ok(r instanceof BrokenBarrierError);
    assert.equal(b.broken, false);
    const again = await gather(
      createTask(() => b.wait()),
      createTask(() => b.wait()),
    );
    assert.deepEqual([...again].sort(), [0, 1]);
  }, { clock: "virtual" });
});
