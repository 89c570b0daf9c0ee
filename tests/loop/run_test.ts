import assert from "node:assert/strict";
import {
  createTask,
  currentTask,
  getRunningLoop,
  Lock,
  run,
  Runner,
  sleep,
} from "../../mod.ts";
import { localServer } from "./_http_server.ts";

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

Deno.test("run() stops async tasks where they are when main fails: none runs on outside the loop", async () => {
  const errors: unknown[] = [];
  const lock = new Lock();
  let steps = 0;
  await assert.rejects(
    run(function* () {
      getRunningLoop().setExceptionHandler((_l, ctx) =>
        errors.push(ctx.exception ?? ctx.message)
      );
      for (let k = 0; k < 3; k++) {
        createTask(async () => {
          for (;;) {
            await lock.acquire();
            try {
              await sleep(0.01);
              steps++;
            } finally {
              lock.release();
            }
            await Promise.resolve();
          }
        });
      }
      yield* sleep(0.05);
      throw new Error("main failed");
    }, { clock: "virtual" }),
    /main failed/,
  );
  const stepsAtEnd = steps;
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(errors, []);
  assert.equal(lock.locked(), false);
  assert.equal(steps, stepsAtEnd);
});

Deno.test("run() gives up on a leftover task stuck in a host promise, reports it and returns main's result", async () => {
  const reports: string[] = [];
  const t0 = performance.now();
  const result = await run(async () => {
    getRunningLoop().setExceptionHandler((_l, ctx) =>
      reports.push(ctx.message)
    );
    createTask(async function stuckForever() {
      await new Promise(() => {});
    });
    await sleep(0);
    return "main's result";
  }, { shutdownTimeout: 0.1 });
  const took = performance.now() - t0;
  assert.equal(result, "main's result");
  assert.ok(took >= 100 && took < 1000, `run() took ${took} ms`);
  assert.equal(reports.length, 1);
  assert.match(reports[0], /did not finish within 0.1 s/);
  assert.match(reports[0], /stuckForever\(\) is awaiting a host promise/);
});

Deno.test("run() rethrows main's error even when a leftover task is stuck", async () => {
  const reports: string[] = [];
  await assert.rejects(
    run(async () => {
      getRunningLoop().setExceptionHandler((_l, ctx) =>
        reports.push(ctx.message)
      );
      createTask(async () => await new Promise(() => {}));
      await sleep(0);
      throw new RangeError("main's own error");
    }, { shutdownTimeout: 0.05 }),
    RangeError,
  );
  assert.equal(reports.length, 1);
});

Deno.test("run() ends a leftover fetch at once through its task's signal", async () => {
  // The task gives fetch its signal: the cancellation at shutdown ends it.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server = await localServer(async () => {
    await released;
    return "late";
  });
  try {
    const t0 = performance.now();
    await run(async () => {
      createTask(async () => {
        await fetch(server.url, {
          signal: currentTask()!.signal,
        });
      });
      await sleep(0.02);
    });
    assert.ok(performance.now() - t0 < 500);
  } finally {
    release();
    await server.close();
  }
});

Deno.test("Runner() rejects a shutdownTimeout that is not a duration", () => {
  assert.throws(() => new Runner({ shutdownTimeout: -1 }), RangeError);
  assert.throws(
    () => new Runner({ shutdownTimeout: "1" as unknown as number }),
    RangeError,
  );
});
