import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  TimeoutError,
  waitFor,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

for (const form of ["generator", "async"] as const) {
  Deno.test(`waitFor() returns the result in time (${form})`, async () => {
    const v = await run(
      form === "generator"
        ? function* () {
          return yield* waitFor(sleep(1, "ok"), 5);
        }
        : async () => await waitFor(sleep(1, "ok"), 5),
      virtual,
    );
    assert.equal(v, "ok");
  });

  Deno.test(`waitFor() cancels and awaits the inner task on timeout (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const inner = createTask(function* () {
        try {
          yield* sleep(10);
        } finally {
          yield* sleep(0.5); // slow cleanup, still awaited
          log.push("inner cleaned up");
        }
      });
      const outer = createTask(
        form === "generator"
          ? function* () {
            return yield* waitFor(inner, 1);
          }
          : async () => await waitFor(inner, 1),
      );
      try {
        yield* outer;
        assert.fail("should time out");
      } catch (err) {
        assert.ok(err instanceof TimeoutError);
        log.push("timeout raised");
      }
      assert.ok(inner.cancelled());
      assert.equal(getRunningLoop().time(), 1.5);
    }, virtual);
    assert.deepEqual(log, ["inner cleaned up", "timeout raised"]);
  });
}

Deno.test("waitFor() with timeout <= 0 cancels at once unless done", async () => {
  await run(function* () {
    assert.equal(yield* waitFor(Promise.resolve(1).then((x) => x), null), 1);
    try {
      yield* waitFor(sleep(1), 0);
      assert.fail("should time out");
    } catch (err) {
      assert.ok(err instanceof TimeoutError);
    }
  }, virtual);
});

Deno.test("waitFor() never swallows an outside cancel that races the timeout (gh-86296)", async () => {
  await run(function* () {
    const task = createTask(function* () {
      return yield* waitFor(sleep(10), 1);
    });
    // At t=1 the timeout fires; cancel from outside in the same iteration.
    getRunningLoop().callLater(1, () => task.cancel());
    try {
      yield* task;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError, `got ${err}`);
    }
    assert.ok(task.cancelled());
    assert.ok(currentTask());
  }, virtual);
});

Deno.test("waitFor() rejects a timeout that is not a number", async () => {
  await run(function* () {
    assert.throws(() => waitFor(sleep(0), "1" as never), TypeError);
    yield* sleep(0);
  });
});
