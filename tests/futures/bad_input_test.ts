import assert from "node:assert/strict";
import {
  asCompleted,
  createTask,
  ensureFuture,
  gather,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
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
