import assert from "node:assert/strict";
import { Barrier, BrokenBarrierError, gather, run, sleep } from "../../mod.ts";
import { awaitIn, failure, FORMS, settleIn, virtual } from "./_forms.ts";

Deno.test("Barrier rejects parties that are not an integer >= 1", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => new Barrier(bad),
      (err: unknown) =>
        err instanceof RangeError &&
        /^Cannot create a barrier: parties must be an integer >= 1/.test(
          err.message,
        ),
    );
  }
});

Deno.test("Barrier starts filling, not broken, with its parties", () => {
  const b = new Barrier(3);
  assert.equal(b.parties, 3);
  assert.equal(b.nWaiting, 0);
  assert.equal(b.broken, false);
});

for (const form of FORMS) {
  Deno.test(`Barrier.wait() releases all parties together with their arrival indices (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(3);
      const ts = [0, 1].map(() => awaitIn(form, () => b.wait()));
      yield* sleep(1);
      assert.equal(b.nWaiting, 2);
      assert.ok(ts.every((t) => !t.done()));
      const last = awaitIn(form, () => b.wait());
      assert.deepEqual(yield* gather(...ts, last), [0, 1, 2]);
      assert.equal(b.nWaiting, 0);
      assert.equal(b.broken, false);
    }, virtual);
  });

  Deno.test(`Barrier(1).wait() passes at once with index 0 (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(1);
      assert.equal(yield* awaitIn(form, () => b.wait()), 0);
    }, virtual);
  });

  Deno.test(`Barrier can be used for several rounds (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(2);
      for (let round = 0; round < 3; round++) {
        const got = yield* gather(
          awaitIn(form, () => b.wait()),
          awaitIn(form, () => b.wait()),
        );
        assert.deepEqual([...got].sort(), [0, 1]);
      }
    }, virtual);
  });

  Deno.test(`Barrier.abort() breaks waiting and later wait() calls (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(3);
      const w = settleIn(form, () => b.wait());
      yield* sleep(1);
      yield* awaitIn(form, () => b.abort());
      assert.ok(failure(yield* w) instanceof BrokenBarrierError);
      assert.equal(b.broken, true);
      const later = yield* settleIn(form, () => b.wait());
      assert.ok(failure(later) instanceof BrokenBarrierError);
    }, virtual);
  });

  Deno.test(`Barrier.reset() fails current waiters and refills (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(2);
      const w = settleIn(form, () => b.wait());
      yield* sleep(1);
      yield* awaitIn(form, () => b.reset());
      const err = failure(yield* w);
      assert.ok(err instanceof BrokenBarrierError);
      assert.match((err as Error).message, /reset/);
      assert.equal(b.broken, false);
      assert.equal(b.nWaiting, 0);
      const got = yield* gather(
        awaitIn(form, () => b.wait()),
        awaitIn(form, () => b.wait()),
      );
      assert.deepEqual([...got].sort(), [0, 1]);
    }, virtual);
  });

  Deno.test(`Barrier.reset() after abort() makes it usable again (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(2);
      yield* awaitIn(form, () => b.abort());
      assert.equal(b.broken, true);
      yield* awaitIn(form, () => b.reset());
      assert.equal(b.broken, false);
      const got = yield* gather(
        awaitIn(form, () => b.wait()),
        awaitIn(form, () => b.wait()),
      );
      assert.deepEqual([...got].sort(), [0, 1]);
    }, virtual);
  });

  Deno.test(`Barrier.wait() cancelled while filling leaves the others waiting (${form})`, async () => {
    await run(function* () {
      const b = new Barrier(2);
      const a = awaitIn(form, () => b.wait());
      yield* sleep(1);
      assert.equal(b.nWaiting, 1);
      a.cancel();
      yield* sleep(1);
      assert.ok(a.cancelled());
      assert.equal(b.nWaiting, 0);
      assert.equal(b.broken, false);
      const got = yield* gather(
        awaitIn(form, () => b.wait()),
        awaitIn(form, () => b.wait()),
      );
      assert.deepEqual([...got].sort(), [0, 1]);
    }, virtual);
  });
}

Deno.test("Barrier.wait() awaited twice is a clear error, not a second arrival", async () => {
  await run(function* () {
    const b = new Barrier(1);
    const w = b.wait();
    assert.equal(yield* w, 0);
    assert.throws(() => w[Symbol.iterator](), /twice/);
  });
  await run(async () => {
    const b = new Barrier(1);
    const w = b.wait();
    assert.equal(await w, 0);
    await assert.rejects(async () => await w, /twice/);
  });
});
