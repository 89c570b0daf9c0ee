import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  ExceptionGroup,
  getRunningLoop,
  run,
  RuntimeError,
  type ScopeBody,
  sleep,
  type Task,
  TaskGroup,
  timeout,
  TimeoutError,
} from "../../mod.ts";
import { failure, FORMS, settleIn, virtual } from "./_forms.ts";

function* failAfter(s: number, err: Error): Coro<never> {
  yield* sleep(s);
  throw err;
}

/** A child that sleeps `s`; on cancellation it logs, cleans up for `cleanup`. */
function sleeper(log: string[], name: string, s: number, cleanup = 0) {
  return function* (): Coro<string> {
    try {
      yield* sleep(s);
    } catch (err) {
      log.push(`${name} ${(err as Error).name}`);
      if (cleanup > 0) yield* sleep(cleanup);
      throw err;
    }
    log.push(`${name} done`);
    return name;
  };
}

/**
 * The same group body in both forms: `setup(tg)` creates the children, then
 * the body sleeps `s` seconds (logging a cancellation) and returns "body".
 */
function body(
  form: "generator" | "async",
  log: string[],
  setup: (tg: TaskGroup) => void,
  s = 10,
): ScopeBody<TaskGroup, string> {
  return form === "generator"
    ? function* (tg) {
      setup(tg);
      try {
        yield* sleep(s);
      } catch (err) {
        log.push(`body ${(err as Error).name}`);
        throw err;
      }
      return "body";
    }
    : async (tg) => {
      setup(tg);
      try {
        await sleep(s);
      } catch (err) {
        log.push(`body ${(err as Error).name}`);
        throw err;
      }
      return "body";
    };
}

// Each case runs with the group's parent task in one form and its body in
// the other or the same one: generator/async parent x generator/async body.
const COMBOS = FORMS.flatMap((parent) =>
  FORMS.map((bodyForm) => ({ parent, body: bodyForm }))
);

for (const { parent, body: bf } of COMBOS) {
  const tag = `(${parent} parent, ${bf} body)`;

  Deno.test(`TaskGroup waits for every child and returns the body's result ${tag}`, async () => {
    const log: string[] = [];
    await run(function* () {
      let a = null as Task<string> | null;
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          a = tg.createTask(sleeper(log, "a", 3));
          tg.createTask(async () => {
            await sleep(2);
            log.push("b done");
          });
        }, 1)));
      assert.deepEqual(yield* s, { ok: true, value: "body" });
      assert.equal(a!.result(), "a");
      assert.equal(getRunningLoop().time(), 3);
    }, virtual);
    assert.deepEqual(log, ["b done", "a done"]);
  });

  Deno.test(`TaskGroup cancels siblings and the body when a child fails ${tag}`, async () => {
    const log: string[] = [];
    const boom = new RangeError("boom");
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          tg.createTask(failAfter(1, boom));
          tg.createTask(sleeper(log, "sibling", 10, 0.5));
        })));
      const err = failure(yield* s);
      assert.ok(err instanceof ExceptionGroup);
      assert.deepEqual(err.exceptions, [boom]);
      assert.equal(
        err.message,
        "unhandled errors in a TaskGroup (1 sub-exception)",
      );
      // The sibling's cleanup was awaited; the caller's cancel was taken back.
      assert.equal(getRunningLoop().time(), 1.5);
      assert.equal(s.cancelling(), 0);
    }, virtual);
    assert.deepEqual(log.sort(), [
      "body CancelledError",
      "sibling CancelledError",
    ]);
  });

  Deno.test(`TaskGroup keeps every error when several children fail ${tag}`, async () => {
    const log: string[] = [];
    const one = new Error("one");
    const two = new TypeError("two");
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          tg.createTask(failAfter(1, one));
          tg.createTask(sleeper(log, "sibling", 10));
          // Fails while being cancelled: its error is kept too.
          tg.createTask(function* () {
            try {
              yield* sleep(10);
            } finally {
              // deno-lint-ignore no-unsafe-finally
              throw two;
            }
          });
        })));
      const err = failure(yield* s);
      assert.ok(err instanceof ExceptionGroup);
      assert.deepEqual(err.exceptions, [one, two]);
    }, virtual);
  });

  Deno.test(`TaskGroup includes the body's own error and cancels the children ${tag}`, async () => {
    const log: string[] = [];
    const bodyError = new RangeError("body failed");
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(
          bf === "generator"
            ? function* (tg) {
              tg.createTask(sleeper(log, "child", 10, 0.5));
              yield* sleep(1);
              throw bodyError;
            }
            : async (tg) => {
              tg.createTask(sleeper(log, "child", 10, 0.5));
              await sleep(1);
              throw bodyError;
            },
        ));
      const err = failure(yield* s);
      assert.ok(err instanceof ExceptionGroup);
      assert.deepEqual(err.exceptions, [bodyError]);
      assert.equal(getRunningLoop().time(), 1.5);
    }, virtual);
    assert.deepEqual(log, ["child CancelledError"]);
  });

  Deno.test(`TaskGroup keeps the children's errors before the body's ${tag}`, async () => {
    const childError = new Error("child");
    const bodyError = new RangeError("body, while cancelled");
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(
          bf === "generator"
            ? function* (tg) {
              tg.createTask(failAfter(1, childError));
              try {
                yield* sleep(10);
              } catch {
                throw bodyError;
              }
            }
            : async (tg) => {
              tg.createTask(failAfter(1, childError));
              try {
                await sleep(10);
              } catch {
                throw bodyError;
              }
            },
        ));
      const err = failure(yield* s);
      assert.ok(err instanceof ExceptionGroup);
      assert.deepEqual(err.exceptions, [childError, bodyError]);
      assert.equal(s.cancelling(), 0);
    }, virtual);
  });

  Deno.test(`TaskGroup cancelled from outside cancels and awaits children, then raises CancelledError ${tag}`, async () => {
    const log: string[] = [];
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          tg.createTask(sleeper(log, "child", 10, 0.5));
        })));
      yield* sleep(1);
      s.cancel();
      const err = failure(yield* s);
      assert.ok(err instanceof CancelledError, `got ${err}`);
      assert.equal(getRunningLoop().time(), 1.5);
      assert.equal(s.cancelling(), 1);
    }, virtual);
    assert.deepEqual(log.sort(), [
      "body CancelledError",
      "child CancelledError",
    ]);
  });

  Deno.test(`TaskGroup cancelled from outside while waiting for its children raises CancelledError ${tag}`, async () => {
    const log: string[] = [];
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          tg.createTask(sleeper(log, "child", 10));
        }, 0)));
      yield* sleep(1); // the body is done; the group waits for the child
      s.cancel();
      assert.ok(failure(yield* s) instanceof CancelledError);
    }, virtual);
    assert.deepEqual(log, ["child CancelledError"]);
  });

  Deno.test(`TaskGroup.cancel() ends the group early without an error ${tag}`, async () => {
    const log: string[] = [];
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          tg.createTask(sleeper(log, "child", 10, 0.5));
          getRunningLoop().callLater(1, () => tg.cancel());
        })));
      // The body was cut short: no result.
      assert.deepEqual(yield* s, { ok: true, value: undefined });
      assert.equal(getRunningLoop().time(), 1.5);
      assert.equal(s.cancelling(), 0);
    }, virtual);
    assert.deepEqual(log.sort(), [
      "body CancelledError",
      "child CancelledError",
    ]);
  });

  Deno.test(`TaskGroup.cancel() from a child ends the group ${tag}`, async () => {
    const log: string[] = [];
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          tg.createTask(sleeper(log, "slow", 10));
          tg.createTask(function* () {
            yield* sleep(2);
            log.push("winner");
            tg.cancel();
          });
        })));
      assert.deepEqual(yield* s, { ok: true, value: undefined });
      assert.equal(getRunningLoop().time(), 2);
    }, virtual);
    assert.deepEqual(log.sort(), [
      "body CancelledError",
      "slow CancelledError",
      "winner",
    ]);
  });

  Deno.test(`TaskGroup does not count a child's cancellation as an error ${tag}`, async () => {
    const log: string[] = [];
    await run(function* () {
      const s = settleIn(parent, () =>
        TaskGroup.run(body(bf, log, (tg) => {
          const victim = tg.createTask(sleeper(log, "victim", 10));
          tg.createTask(sleeper(log, "other", 2));
          getRunningLoop().callLater(1, () => victim.cancel());
        }, 1)));
      assert.deepEqual(yield* s, { ok: true, value: "body" });
      assert.equal(getRunningLoop().time(), 2);
    }, virtual);
    assert.deepEqual(log, ["victim CancelledError", "other done"]);
  });
}

for (const parent of FORMS) {
  Deno.test(`TaskGroup re-requests an outside cancellation it raised ExceptionGroup over (${parent})`, async () => {
    const boom = new Error("boom");
    const log: string[] = [];
    await run(function* () {
      let t = null as Task<void> | null;
      // Cancels the group's task from outside, then fails at once.
      function* cancelThenFail(): Coro<never> {
        yield* sleep(1);
        t!.cancel();
        throw boom;
      }
      t = parent === "generator"
        ? createTask(function* () {
          try {
            yield* TaskGroup.run(function* (tg) {
              tg.createTask(cancelThenFail);
              yield* sleep(10);
            });
          } catch (err) {
            log.push(`group ${(err as Error).name}`);
          }
          yield* sleep(5); // the outside cancellation arrives here
          log.push("not reached");
        })
        : createTask(async () => {
          try {
            await TaskGroup.run(async (tg) => {
              tg.createTask(cancelThenFail);
              await sleep(10);
            });
          } catch (err) {
            log.push(`group ${(err as Error).name}`);
          }
          await sleep(5);
          log.push("not reached");
        });
      try {
        yield* t;
        assert.fail("should be cancelled");
      } catch (err) {
        assert.ok(err instanceof CancelledError, `got ${err}`);
      }
      assert.equal(t.cancelling(), 1);
      assert.equal(getRunningLoop().time(), 1);
    }, virtual);
    assert.deepEqual(log, ["group ExceptionGroup"]);
  });

  Deno.test(`TaskGroup.cancel() does not swallow an outside timeout during the children's cleanup (${parent})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const s = settleIn(parent, () =>
        timeout(0.5).run(function* () {
          yield* TaskGroup.run(function* (tg) {
            tg.createTask(sleeper(log, "worker", 3600, 1));
            yield* sleep(0.1);
            tg.cancel();
            yield* sleep(10);
          });
          log.push("not reached");
        }));
      const err = failure(yield* s);
      assert.ok(err instanceof TimeoutError, `got ${err}`);
      assert.equal(getRunningLoop().time(), 1.1);
    }, virtual);
    assert.deepEqual(log, ["worker CancelledError"]);
  });
}

for (const form of FORMS) {
  Deno.test(`TaskGroup.cancel() before run() cancels the group as it starts (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const tg = new TaskGroup();
      tg.cancel();
      const s = settleIn(form, () => tg.run(body(form, log, () => {})));
      assert.deepEqual(yield* s, { ok: true, value: undefined });
      assert.equal(getRunningLoop().time(), 0);
      // As in Python, a cancelled group takes no new tasks.
      assert.throws(() => tg.createTask(sleep(0)), RuntimeError);
    }, virtual);
    assert.deepEqual(log, ["body CancelledError"]);
  });
}

Deno.test("TaskGroup.createTask() in a group cancelled before it started is a clear error", async () => {
  await run(function* () {
    const tg = new TaskGroup();
    tg.cancel();
    try {
      yield* tg.run(function* (g) {
        g.createTask(sleep(1));
      });
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof ExceptionGroup);
      assert.ok(err.exceptions[0] instanceof RuntimeError);
      assert.match((err.exceptions[0] as Error).message, /shutting down/);
    }
    // The group's own cancellation was taken back.
    yield* sleep(1);
  }, virtual);
});

Deno.test("TaskGroup.cancel() after the group ended does nothing", async () => {
  await run(function* () {
    const tg = new TaskGroup();
    assert.equal(
      yield* tg.run(function* () {
        return 1;
      }),
      1,
    );
    tg.cancel();
    yield* sleep(1); // the task running the group is not cancelled
  }, virtual);
});

Deno.test("TaskGroup.createTask() before run() or after the end is a clear error", async () => {
  await run(function* () {
    const tg = new TaskGroup();
    assert.throws(() => tg.createTask(sleep(0)), /not been entered/);
    yield* tg.run(function* () {});
    assert.throws(() => tg.createTask(sleep(0)), /finished/);
    assert.throws(() => tg.run(function* () {}), RuntimeError);
  });
});

Deno.test("TaskGroup.createTask() while shutting down is a clear error", async () => {
  await run(function* () {
    let late: unknown = null;
    try {
      yield* TaskGroup.run(function* (tg) {
        tg.createTask(failAfter(1, new Error("boom")));
        try {
          yield* sleep(10);
        } catch (err) {
          try {
            tg.createTask(sleep(0));
          } catch (e) {
            late = e;
          }
          throw err;
        }
      });
    } catch (err) {
      assert.ok(err instanceof ExceptionGroup);
    }
    assert.ok(late instanceof RuntimeError);
    assert.match((late as Error).message, /shutting down/);
  }, virtual);
});

Deno.test("TaskGroup.run() outside a task, or awaited twice, is a clear error", async () => {
  assert.throws(() => TaskGroup.run(function* () {}), RuntimeError);
  await run(async () => {
    const scope = TaskGroup.run(async () => 1);
    assert.equal(await scope, 1);
    await assert.rejects(async () => await scope, RuntimeError);
  });
});

Deno.test("TaskGroup.createTask() names its tasks", async () => {
  await run(function* () {
    yield* TaskGroup.run(function* (tg) {
      const t = tg.createTask(sleep(0), { name: "worker-1" });
      assert.equal(t.getName(), "worker-1");
    });
  });
});

Deno.test("ExceptionGroup keeps its errors and reads like Python's", () => {
  const errors = [new Error("a"), "not an Error"];
  const g = new ExceptionGroup("several failed", errors);
  assert.ok(g instanceof AggregateError);
  assert.equal(g.name, "ExceptionGroup");
  assert.equal(g.message, "several failed (2 sub-exceptions)");
  assert.deepEqual(g.exceptions, errors);
  assert.equal(g.exceptions, g.errors);
});

// test_taskgroup_11 / _12: a nested group whose children fail while the
// outer task is being cancelled from outside: the inner ExceptionGroup is
// the outer body's error, so the outer group raises it wrapped once more.
for (const form of FORMS) {
  const failingChild = form === "generator"
    ? function* (): Coro<void> {
      try {
        yield* sleep(10);
      } finally {
        // deno-lint-ignore no-unsafe-finally
        throw new RangeError("1 / 0");
      }
    }
    : async () => {
      try {
        await sleep(10);
      } finally {
        // deno-lint-ignore no-unsafe-finally
        throw new RangeError("1 / 0");
      }
    };
  const inner: ScopeBody<TaskGroup, void> = form === "generator"
    ? function* (g2) {
      for (let i = 0; i < 5; i++) g2.createTask(failingChild);
      yield* sleep(10);
    }
    : async (g2) => {
      for (let i = 0; i < 5; i++) g2.createTask(failingChild);
      await sleep(10);
    };
  for (const withSibling of [false, true]) {
    const name = withSibling ? "test_taskgroup_12" : "test_taskgroup_11";
    Deno.test(`TaskGroup nested in a group cancelled from outside raises the inner ExceptionGroup wrapped (${form}, ${name})`, async () => {
      await run(function* () {
        const outer: ScopeBody<TaskGroup, void> = form === "generator"
          ? function* (g1) {
            if (withSibling) g1.createTask(sleep(10));
            yield* TaskGroup.run(inner);
          }
          : async (g1) => {
            if (withSibling) g1.createTask(sleep(10));
            await TaskGroup.run(inner);
          };
        const r = createTask(
          form === "generator"
            ? function* () {
              yield* TaskGroup.run(outer);
            }
            : async () => {
              await TaskGroup.run(outer);
            },
        );
        yield* sleep(0.1);
        assert.equal(r.done(), false);
        r.cancel();
        const err = failure(yield* settleIn("generator", () => r));
        assert.ok(err instanceof ExceptionGroup, String(err));
        assert.equal(err.exceptions.length, 1);
        const innerErr = err.exceptions[0];
        assert.ok(innerErr instanceof ExceptionGroup, String(innerErr));
        assert.equal(innerErr.exceptions.length, 5);
        for (const e of innerErr.exceptions) assert.ok(e instanceof RangeError);
      }, virtual);
    });
  }
}
