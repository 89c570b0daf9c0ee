import assert from "node:assert/strict";
import {
  createTask,
  currentTask,
  getRunningLoop,
  run,
  Runner,
  sleep,
} from "../../mod.ts";

Deno.test("run() returns the main coroutine's result", async () => {
  assert.equal(
    await run(function* () {
      yield* sleep(0);
      return "ok";
    }),
    "ok",
  );
});

Deno.test("run() accepts an async main", async () => {
  assert.equal(
    await run(async () => {
      await sleep(0);
      return "ok";
    }),
    "ok",
  );
});

Deno.test("run() cancels tasks left pending and closes the loop", async () => {
  let cleaned = false;
  let loopRef: ReturnType<typeof getRunningLoop> | undefined;
  await run(function* () {
    loopRef = getRunningLoop();
    createTask(function* () {
      try {
        yield* sleep(3600);
      } finally {
        cleaned = true;
      }
    });
    yield* sleep(0);
  }, { clock: "virtual" });
  assert.equal(cleaned, true);
  assert.equal(loopRef!.isClosed(), true);
});

Deno.test("run() inside a running loop is a clear error", async () => {
  await run(async () => {
    await assert.rejects(
      run(function* () {}),
      /while an event loop is running/,
    );
  });
});

Deno.test("Runner runs several coroutines on one loop", async () => {
  await using runner = new Runner({ clock: "virtual" });
  const loop = runner.getLoop();
  assert.equal(
    await runner.run(function* () {
      yield* sleep(1);
      return currentTask() !== null;
    }),
    true,
  );
  assert.equal(runner.getLoop(), loop);
  assert.equal(await runner.run(async () => 2), 2);
});

Deno.test("Runner.getLoop() after close() is a clear error", async () => {
  const runner = new Runner();
  runner.getLoop();
  await runner.close();
  assert.throws(() => runner.getLoop(), /closed/);
});
