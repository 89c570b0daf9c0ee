import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  Future,
  gather,
  run,
  sleep,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("gather() returns results in argument order, not finishing order", async () => {
  const r = await run(function* () {
    return yield* gather(sleep(3, "a"), sleep(1, "b"), Promise.resolve("c"));
  }, virtual);
  assert.deepEqual(r, ["a", "b", "c"]);
});

Deno.test("gather() of nothing is an empty array", async () => {
  assert.deepEqual(await run(async () => await gather()), []);
});

Deno.test("gather() raises the first error and lets the others run", async () => {
  let otherFinished = false;
  await run(function* () {
    const other = createTask(function* () {
      yield* sleep(2);
      otherFinished = true;
    });
    const failing = createTask(function* (): Coro<void> {
      yield* sleep(1);
      throw new RangeError("bad");
    });
    try {
      yield* gather(other, failing);
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof RangeError);
    }
    yield* other;
  }, virtual);
  assert.equal(otherFinished, true);
});

Deno.test("gather() with returnExceptions puts errors in the results", async () => {
  const r = await run(async () => {
    const bad = createTask(async () => {
      await sleep(1);
      throw new RangeError("bad");
    });
    const cancelled = createTask(async () => await sleep(10));
    cancelled.cancel();
    return await gather([bad, sleep(0, 1), cancelled], {
      returnExceptions: true,
    });
  }, virtual);
  assert.ok(r[0] instanceof RangeError);
  assert.equal(r[1], 1);
  assert.ok(r[2] instanceof CancelledError);
});

Deno.test("gather() cancelled cancels every child and raises CancelledError", async () => {
  await run(function* () {
    const a = createTask(function* () {
      yield* sleep(10);
    });
    const b = createTask(async () => await sleep(10));
    const g = gather(a, b);
    yield* sleep(1);
    assert.ok(g.cancel());
    try {
      yield* g;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.ok(a.cancelled());
    assert.ok(b.cancelled());
  }, virtual);
});

Deno.test("gather() raises CancelledError when a child is cancelled", async () => {
  await run(function* () {
    const child = new Future<number>();
    const g = gather(child, sleep(0, 2));
    child.cancel();
    try {
      yield* g;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
  });
});

Deno.test("gather() waits once for an awaitable passed twice", async () => {
  const r = await run(function* () {
    const t = createTask(function* () {
      yield* sleep(0);
      return 5;
    });
    return yield* gather(t, t);
  });
  assert.deepEqual(r, [5, 5]);
});

Deno.test("gather() rejects an options argument that is not an object", async () => {
  await run(function* () {
    assert.throws(() => gather([Promise.resolve(1)], 5 as never), TypeError);
    yield* sleep(0);
  });
});
