import assert from "node:assert/strict";
import {
  asCompleted,
  Condition,
  createTask,
  ensureFuture,
  Future,
  gather,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  PriorityQueue,
  run,
  RuntimeError,
  setEventLoop,
  sleep,
  timeout,
} from "../../mod.ts";

Deno.test("sleep() rejects a delay that is not a number", () => {
  assert.throws(() => sleep(NaN), TypeError);
  assert.throws(() => sleep("1" as never), TypeError);
});

Deno.test("ensureFuture() rejects what cannot be awaited", async () => {
  await run(function* () {
    assert.throws(() => ensureFuture(42 as never), TypeError);
    yield* sleep(0);
  });
});

Deno.test("createTask() rejects a number", async () => {
  await run(function* () {
    assert.throws(() => createTask(7 as never), TypeError);
    yield* sleep(0);
  });
});

Deno.test("gather() refuses futures of another loop", async () => {
  const other = newEventLoop();
  try {
    const foreign = other.createFuture<number>();
    await run(function* () {
      const mine = getRunningLoop().createFuture<number>();
      assert.throws(() => gather(foreign, mine), /different event loops/);
      yield* sleep(0);
    });
  } finally {
    other.close();
  }
});

Deno.test("asCompleted() rejects a timeout that is not a number", async () => {
  await run(function* () {
    assert.throws(
      () => asCompleted([sleep(0)], { timeout: "1" as never }),
      TypeError,
    );
    yield* sleep(0);
  });
});

Deno.test("Timeout.run() may be used once", async () => {
  await run(function* () {
    const t = timeout(5);
    yield* t.run(function* () {});
    assert.throws(() => t.run(function* () {}), RuntimeError);
  }, { clock: "virtual" });
});

Deno.test("getEventLoop() with no loop running or set is a clear error", () => {
  setEventLoop(null);
  assert.throws(() => getEventLoop(), /newEventLoop\(\) and setEventLoop\(\)/);
  assert.throws(() => setEventLoop({} as never), TypeError);
});

Deno.test("timeout(…).run(42) is a TypeError and leaves no deadline armed", async () => {
  await run(function* () {
    const t = timeout(0.05);
    assert.throws(
      () => t.run(42 as never),
      (e) =>
        e instanceof TypeError && /body must be a function/.test(e.message),
    );
    // The task is not cancelled 0.05 s later by a forgotten deadline.
    yield* sleep(0.2);
    assert.equal(t.expired(), false);
  }, { clock: "virtual" });
});

Deno.test("addDoneCallback() with a non-function is a TypeError at the call", async () => {
  await run(function* () {
    const fut = new Future<number>();
    assert.throws(
      () => fut.addDoneCallback("cb" as never),
      (e) =>
        e instanceof TypeError &&
        /callback must be a function, got "cb" \(a string\)/.test(e.message),
    );
    fut.setResult(1);
    yield* fut;
  });
});

Deno.test("PriorityQueue({ compare }) with a non-function is a TypeError", () => {
  assert.throws(
    () => new PriorityQueue(0, { compare: 42 as never }),
    (e) =>
      e instanceof TypeError && /compare must be a function/.test(e.message),
  );
  assert.throws(
    () => new PriorityQueue(0, { cmp: () => 0 } as never),
    /unknown option "cmp"/,
  );
});

Deno.test("Condition.waitFor() with a true predicate returns without the lock (test_wait_for_unacquired)", async () => {
  await run(function* () {
    const cond = new Condition();
    assert.deepEqual(yield* cond.waitFor(() => [1, 2, 3]), [1, 2, 3]);
    let err: unknown;
    try {
      yield* cond.waitFor(() => false);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof RuntimeError);
  });
});
