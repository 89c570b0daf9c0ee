import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import { failure, FORMS, settleIn, virtual } from "./_forms.ts";

/** A task that sleeps `s` seconds, and on cancellation cleans up for `cleanup`. */
function slowToCancel(log: string[], s: number, cleanup: number) {
  return createTask(function* (): Coro<string> {
    try {
      yield* sleep(s);
      return "slept";
    } catch (err) {
      log.push(`inner got ${(err as Error).name}`);
      yield* sleep(cleanup);
      log.push("inner cleaned up");
      throw err;
    }
  });
}

for (const form of FORMS) {
  Deno.test(`waitFor() returns the result in time (${form})`, async () => {
    const v = await run(function* () {
      const s = settleIn(form, () => waitFor(sleep(1, "ok"), 5));
      const r = yield* s;
      assert.equal(getRunningLoop().time(), 1);
      return r;
    }, virtual);
    assert.deepEqual(v, { ok: true, value: "ok" });
  });

  Deno.test(`waitFor() cancels and awaits the inner task on timeout (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const inner = slowToCancel(log, 10, 0.5);
      const outer = settleIn(form, () => waitFor(inner, 1));
      const err = failure(yield* outer);
      log.push("timeout raised");
      assert.ok(err instanceof TimeoutError);
      assert.ok(err.cause instanceof CancelledError);
      assert.ok(inner.cancelled());
      assert.equal(getRunningLoop().time(), 1.5);
    }, virtual);
    assert.deepEqual(log, [
      "inner got CancelledError",
      "inner cleaned up",
      "timeout raised",
    ]);
  });

  Deno.test(`waitFor() passes the inner error through unchanged (${form})`, async () => {
    await run(function* () {
      const boom = new RangeError("boom");
      const inner = createTask(function* (): Coro<never> {
        yield* sleep(1);
        throw boom;
      });
      assert.equal(
        failure(yield* settleIn(form, () => waitFor(inner, 5))),
        boom,
      );
    }, virtual);
  });

  Deno.test(`waitFor() returns the result of an inner task that refuses the cancellation (${form})`, async () => {
    await run(function* () {
      const inner = createTask(function* () {
        try {
          yield* sleep(10);
        } catch {
          return "refused";
        }
        return "slept";
      });
      const r = yield* settleIn(form, () => waitFor(inner, 1));
      assert.deepEqual(r, { ok: true, value: "refused" });
      assert.equal(currentTask()!.cancelling(), 0);
    }, virtual);
  });

  Deno.test(`waitFor(aw, null) waits as long as it takes (${form})`, async () => {
    await run(function* () {
      const r = yield* settleIn(form, () => waitFor(sleep(3600, "late"), null));
      assert.deepEqual(r, { ok: true, value: "late" });
      assert.equal(getRunningLoop().time(), 3600);
    }, virtual);
  });

  Deno.test(`waitFor() with timeout <= 0 cancels and awaits at once unless done (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const done = createTask(function* () {
        return "ready";
      });
      yield* sleep(0);
      assert.deepEqual(yield* settleIn(form, () => waitFor(done, 0)), {
        ok: true,
        value: "ready",
      });
      const inner = slowToCancel(log, 10, 0.5);
      const err = failure(yield* settleIn(form, () => waitFor(inner, -1)));
      assert.ok(err instanceof TimeoutError);
      assert.ok(inner.cancelled());
      assert.equal(getRunningLoop().time(), 0.5);
    }, virtual);
    assert.deepEqual(log, ["inner got CancelledError", "inner cleaned up"]);
  });

  for (const first of ["outside cancel", "timeout"] as const) {
    Deno.test(`waitFor() never swallows an outside cancel that races the timeout, ${first} first (gh-86296, ${form})`, async () => {
      await run(function* () {
        const loop = getRunningLoop();
        let task = null as ReturnType<typeof settleIn<unknown>> | null;
        // Both fire at t=1, in the order they were scheduled.
        if (first === "outside cancel") loop.callLater(1, () => task!.cancel());
        task = settleIn(form, () => waitFor(sleep(10), 1));
        yield* sleep(0); // the waitFor has started: its deadline is set
        if (first === "timeout") loop.callLater(1, () => task!.cancel());
        const err = failure(yield* task);
        assert.ok(err instanceof CancelledError, `got ${err}`);
        // The outside request is still counted: nothing took it back.
        assert.equal(task.cancelling(), 1);
        assert.equal(loop.time(), 1);
      }, virtual);
    });
  }

  Deno.test(`waitFor() with timeout 0 never swallows an outside cancel while it waits for the cancelled inner (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const inner = slowToCancel(log, 10, 2);
      yield* sleep(0);
      const task = settleIn(form, () => waitFor(inner, 0));
      getRunningLoop().callLater(1, () => task.cancel());
      const err = failure(yield* task);
      assert.ok(err instanceof CancelledError, `got ${err}`);
      assert.equal(getRunningLoop().time(), 1);
      // The inner still finishes its cleanup.
      try {
        yield* inner;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.equal(getRunningLoop().time(), 2);
    }, virtual);
    assert.deepEqual(log, ["inner got CancelledError", "inner cleaned up"]);
  });
}

Deno.test("waitFor() cancelled from outside cancels the inner and raises CancelledError", async () => {
  await run(function* () {
    const inner = createTask(sleep(10));
    const task = createTask(function* () {
      return yield* waitFor(inner, 5);
    });
    yield* sleep(1);
    task.cancel();
    try {
      yield* task;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.ok(inner.cancelled());
  }, virtual);
});

Deno.test("waitFor() rejects a timeout that is not a number", async () => {
  await run(function* () {
    assert.throws(() => waitFor(sleep(0), "1" as never), TypeError);
    assert.throws(() => waitFor(sleep(0), NaN), TypeError);
    yield* sleep(0);
  });
});

for (const form of FORMS) {
  Deno.test(`waitFor() runs a coroutine in the caller's task, at once (${form}, 3.12)`, async () => {
    await run(function* () {
      const caller = createTask(
        form === "generator"
          ? function* () {
            let seen: unknown = null;
            yield* waitFor(
              (function* () {
                seen = currentTask();
                yield* sleep(1);
              })(),
              5,
            );
            return seen === currentTask();
          }
          : async () => {
            let seen: unknown = null;
            await waitFor(
              (async () => {
                seen = currentTask();
                await sleep(1);
              })(),
              5,
            );
            // (Not the task itself: an async function returning a
            // thenable would await it.)
            return seen === currentTask();
          },
      );
      assert.equal(yield* caller, true);
    }, virtual);
  });

  Deno.test(`waitFor() cancelled lets a cancel-ignoring coroutine finish (${form}, test_asyncio_wait_for_cancelled)`, async () => {
    await run(function* () {
      const loop = currentTask()!.getLoop();
      let exited = false;
      const slow = async (): Promise<void> => {
        const exitAt = loop.time() + 0.2;
        while (loop.time() < exitAt) {
          try {
            await sleep(exitAt - loop.time());
          } catch {
            // ignores cancellation
          }
        }
        exited = true;
      };
      const slowGen = function* (): Coro<void> {
        const exitAt = loop.time() + 0.2;
        while (loop.time() < exitAt) {
          try {
            yield* sleep(exitAt - loop.time());
          } catch {
            // ignores cancellation
          }
        }
        exited = true;
      };
      const t = form === "generator"
        ? createTask(function* () {
          yield* waitFor(slowGen(), 0.4);
        })
        : createTask(async () => {
          await waitFor(slow(), 0.4);
        });
      yield* sleep(0);
      t.cancel();
      yield* gather([t], { returnExceptions: true });
      assert.ok(exited);
    }, virtual);
  });
}

Deno.test("waitFor() with a non-awaitable is a TypeError at the call", () => {
  assert.throws(
    () => waitFor(42 as never, 1),
    (e) => e instanceof TypeError && /Cannot wait for 42/.test(e.message),
  );
  assert.throws(
    () => waitFor(sleep(0), "1" as never),
    (e) => e instanceof TypeError && /got "1" \(a string\)/.test(e.message),
  );
});
