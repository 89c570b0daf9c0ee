import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  ExceptionGroup,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  TaskGroup,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

function* failAfter(s: number, msg: string): Coro<never> {
  yield* sleep(s);
  throw new Error(msg);
}

for (const form of ["generator", "async"] as const) {
  Deno.test(`TaskGroup waits for every child (${form} body)`, async () => {
    const r = await run(function* () {
      const tasks = yield* TaskGroup.run(
        form === "generator"
          ? function* (tg) {
            return [tg.createTask(sleep(2, "a")), tg.createTask(sleep(1, "b"))];
          }
          : async (
            tg,
          ) => [tg.createTask(sleep(2, "a")), tg.createTask(sleep(1, "b"))],
      );
      assert.equal(getRunningLoop().time(), 2);
      return tasks.map((t) => t.result());
    }, virtual);
    assert.deepEqual(r, ["a", "b"]);
  });

  Deno.test(`TaskGroup cancels siblings and the body when a child fails (${form} body)`, async () => {
    const log: string[] = [];
    await run(function* () {
      try {
        yield* TaskGroup.run(
          form === "generator"
            ? function* (tg) {
              tg.createTask(failAfter(1, "boom"));
              tg.createTask(function* () {
                try {
                  yield* sleep(10);
                } catch (err) {
                  if (err instanceof CancelledError) {
                    log.push("sibling cancelled");
                  }
                  throw err;
                }
              });
              try {
                yield* sleep(10);
              } catch (err) {
                if (err instanceof CancelledError) log.push("body cancelled");
                throw err;
              }
            }
            : async (tg) => {
              tg.createTask(failAfter(1, "boom"));
              tg.createTask(async () => {
                try {
                  await sleep(10);
                } catch (err) {
                  if (err instanceof CancelledError) {
                    log.push("sibling cancelled");
                  }
                  throw err;
                }
              });
              try {
                await sleep(10);
              } catch (err) {
                if (err instanceof CancelledError) log.push("body cancelled");
                throw err;
              }
            },
        );
        assert.fail("should raise");
      } catch (err) {
        assert.ok(err instanceof ExceptionGroup);
        assert.deepEqual(err.exceptions.map((e) => (e as Error).message), [
          "boom",
        ]);
      }
      assert.equal(getRunningLoop().time(), 1);
    }, virtual);
    assert.deepEqual(log.sort(), ["body cancelled", "sibling cancelled"]);
  });
}

Deno.test("TaskGroup keeps every error when several children fail", async () => {
  await run(function* () {
    try {
      yield* TaskGroup.run(function* (tg) {
        tg.createTask(failAfter(1, "one"));
        tg.createTask(failAfter(1, "two"));
      });
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof ExceptionGroup);
      assert.deepEqual(err.exceptions.map((e) => (e as Error).message).sort(), [
        "one",
        "two",
      ]);
    }
  }, virtual);
});

Deno.test("TaskGroup includes the body's own error and cancels the children", async () => {
  let childCancelled = false;
  await run(function* () {
    try {
      yield* TaskGroup.run(function* (tg) {
        tg.createTask(function* () {
          try {
            yield* sleep(10);
          } catch (err) {
            childCancelled = err instanceof CancelledError;
            throw err;
          }
        });
        yield* sleep(1);
        throw new RangeError("body failed");
      });
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof ExceptionGroup);
      assert.ok(err.exceptions[0] instanceof RangeError);
    }
  }, virtual);
  assert.ok(childCancelled);
});

Deno.test("TaskGroup cancelled from outside cancels children and raises CancelledError", async () => {
  let childCancelled = false;
  await run(function* () {
    const t = createTask(function* () {
      yield* TaskGroup.run(function* (tg) {
        tg.createTask(function* () {
          try {
            yield* sleep(10);
          } catch (err) {
            childCancelled = true;
            throw err;
          }
        });
        yield* sleep(10);
      });
    });
    yield* sleep(1);
    t.cancel();
    try {
      yield* t;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
  }, virtual);
  assert.ok(childCancelled);
});

Deno.test("TaskGroup.cancel() ends the group early without an error", async () => {
  const r = await run(function* () {
    const tg = new TaskGroup();
    const result = yield* tg.run(function* (g) {
      const child = g.createTask(sleep(10));
      getRunningLoop().callLater(1, () => g.cancel());
      yield* sleep(10);
      return child;
    });
    return [result, getRunningLoop().time()] as const;
  }, virtual);
  assert.equal(r[0], undefined);
  assert.equal(r[1], 1);
});

Deno.test("TaskGroup.createTask() before run() or after the end is a clear error", async () => {
  await run(function* () {
    const tg = new TaskGroup();
    assert.throws(() => tg.createTask(sleep(0)), RuntimeError);
    yield* tg.run(function* () {});
    assert.throws(() => tg.createTask(sleep(0)), RuntimeError);
    assert.throws(() => tg.run(function* () {}), RuntimeError);
  });
});
