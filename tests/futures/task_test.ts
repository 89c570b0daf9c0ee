import assert from "node:assert/strict";
import {
  allTasks,
  CancelledError,
  type Coro,
  createTask,
  currentTask,
  Future,
  gather,
  Lock,
  newEventLoop,
  Queue,
  run,
  RuntimeError,
  sleep,
  type Task,
} from "../../mod.ts";

import { FORMS } from "./_forms.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("Task runs a generator coroutine and returns its result", async () => {
  const v = await run(function* () {
    const t = createTask(function* () {
      yield* sleep(0);
      return 7;
    });
    return yield* t;
  });
  assert.equal(v, 7);
});

Deno.test("Task runs an async function and returns its result", async () => {
  const v = await run(async () => {
    const t = createTask(async () => {
      await sleep(0);
      return 8;
    });
    return await t;
  });
  assert.equal(v, 8);
});

Deno.test("Task propagates a generator's error to its awaiter", async () => {
  await assert.rejects(
    run(function* () {
      const t = createTask(function* (): Coro<void> {
        yield* sleep(0);
        throw new RangeError("bad");
      });
      yield* t;
    }),
    RangeError,
  );
});

Deno.test("Task propagates an async function's error to its awaiter", async () => {
  await assert.rejects(
    run(async () => {
      const t = createTask(async () => {
        await sleep(0);
        throw new RangeError("bad");
      });
      await t;
    }),
    RangeError,
  );
});

for (const form of ["generator", "async"] as const) {
  const sleeper = (log: string[]) =>
    form === "generator"
      ? function* () {
        try {
          yield* sleep(3600);
        } finally {
          log.push("cleanup");
        }
      }
      : async () => {
        try {
          await sleep(3600);
        } finally {
          log.push("cleanup");
        }
      };

  Deno.test(`Task.cancel() interrupts a sleeping ${form} task`, async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(sleeper(log));
      yield* sleep(1);
      assert.equal(t.cancel("enough"), true);
      try {
        yield* t;
        assert.fail("should have thrown");
      } catch (err) {
        assert.ok(err instanceof CancelledError);
        assert.equal(err.message, "enough");
      }
      assert.ok(t.cancelled());
    }, virtual);
    assert.deepEqual(log, ["cleanup"]);
  });

  Deno.test(`Task.cancel() of a ${form} task waiting on a future cancels that future`, async () => {
    await run(function* () {
      const fut = new Future<number>();
      const t = createTask(
        form === "generator"
          ? function* () {
            return yield* fut;
          }
          : async () => await fut,
      );
      yield* sleep(0);
      yield* sleep(0);
      t.cancel();
      yield* sleep(0);
      yield* sleep(0);
      assert.ok(fut.cancelled());
      assert.ok(t.cancelled());
    }, virtual);
  });

  Deno.test(`Task.cancel() lets a ${form} task catch CancelledError and return`, async () => {
    const v = await run(function* () {
      const t = createTask(
        form === "generator"
          ? function* () {
            try {
              yield* sleep(10);
            } catch (err) {
              if (err instanceof CancelledError) return "caught";
              throw err;
            }
            return "slept";
          }
          : async () => {
            try {
              await sleep(10);
            } catch (err) {
              if (err instanceof CancelledError) return "caught";
              throw err;
            }
            return "slept";
          },
      );
      yield* sleep(1);
      t.cancel();
      const r = yield* t;
      assert.equal(t.cancelled(), false);
      return r;
    }, virtual);
    assert.equal(v, "caught");
  });

  Deno.test(`Task.cancel() before a ${form} task starts means it never runs`, async () => {
    let ran = false;
    await run(function* () {
      const t = createTask(
        form === "generator"
          ? function* () {
            ran = true;
          }
          : async () => {
            ran = true;
          },
      );
      t.cancel();
      try {
        yield* t;
      } catch (err) {
        assert.ok(err instanceof CancelledError);
      }
    });
    assert.equal(ran, false);
  });
}

Deno.test("Task.cancel() interrupts a generator task looping on sleep(0)", async () => {
  const log: string[] = [];
  await run(function* () {
    const t = createTask(function* () {
      try {
        for (;;) yield* sleep(0);
      } finally {
        log.push("cleanup");
      }
    });
    for (let i = 0; i < 5; i++) yield* sleep(0);
    t.cancel("halt");
    try {
      yield* t;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
      assert.equal(err.message, "halt");
    }
  });
  assert.deepEqual(log, ["cleanup"]);
});

Deno.test("sleep(0, result) resumes with the result in a generator", async () => {
  assert.equal(
    await run(function* () {
      return yield* sleep(0, "r");
    }),
    "r",
  );
});

Deno.test("Task.cancel() interrupts an async task looping on sleep(0)", async () => {
  let spins = 0;
  await run(function* () {
    const t = createTask(async () => {
      for (;;) {
        await sleep(0);
        spins++;
      }
    });
    for (let i = 0; i < 5; i++) yield* sleep(0);
    t.cancel("stop spinning");
    try {
      yield* t;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
      assert.equal(err.message, "stop spinning");
    }
  });
  assert.ok(spins > 0);
});

Deno.test("Task.cancel() on a done task returns false", async () => {
  await run(function* () {
    const t = createTask(function* () {
      return 1;
    });
    yield* t;
    assert.equal(t.cancel(), false);
    assert.equal(t.result(), 1);
  });
});

Deno.test("Task.cancelling() counts requests and uncancel() withdraws them", async () => {
  await run(function* () {
    const t = createTask(function* () {
      try {
        yield* sleep(5);
      } catch {
        // swallow to inspect the counters
      }
      return "done";
    });
    yield* sleep(0);
    t.cancel();
    t.cancel();
    assert.equal(t.cancelling(), 2);
    assert.equal(t.uncancel(), 1);
    assert.equal(yield* t, "done");
  }, virtual);
});

Deno.test("Task.uncancel() to zero withdraws a cancellation not yet delivered", async () => {
  const v = await run(function* () {
    const t = createTask(function* () {
      return "ran";
    });
    t.cancel();
    t.uncancel();
    return yield* t;
  });
  assert.equal(v, "ran");
});

Deno.test("Task names default to Task-<n> and can be set", async () => {
  await run(function* () {
    const t = createTask(function* () {}, { name: "worker" });
    assert.equal(t.getName(), "worker");
    t.setName("renamed");
    assert.equal(t.getName(), "renamed");
    assert.match(createTask(function* () {}).getName(), /^Task-\d+$/);
    yield* sleep(0);
  });
});

Deno.test("currentTask() names the running task in both forms", async () => {
  await run(function* () {
    // Names, not tasks: an async function returning a thenable would adopt it.
    const g = createTask(function* () {
      yield* sleep(0);
      return currentTask()?.getName();
    }, { name: "gen" });
    const a = createTask(async () => {
      await sleep(0);
      return currentTask()?.getName();
    }, { name: "async" });
    assert.equal(yield* g, "gen");
    assert.equal(yield* a, "async");
  });
});

Deno.test("allTasks() lists pending tasks only", async () => {
  await run(function* () {
    const t = createTask(function* () {
      yield* sleep(1);
    });
    yield* sleep(0);
    assert.ok(allTasks().has(t));
    yield* t;
    assert.equal(allTasks().has(t), false);
  }, virtual);
});

Deno.test("Task with eagerStart runs its first step synchronously", async () => {
  await run(function* () {
    const log: string[] = [];
    const t = createTask(function* () {
      log.push("started");
      yield* sleep(0);
      return 1;
    }, { eagerStart: false });
    log.push("created");
    yield* t;
    assert.deepEqual(log, ["created", "started"]);
  });
  const log: string[] = [];
  await run(async () => {
    const t = createTask(function* () {
      log.push("started");
      return 1;
    }, { eagerStart: true });
    log.push("created");
    assert.ok(t.done());
    await t;
  });
  assert.deepEqual(log, ["started", "created"]);
});

Deno.test("Task runs one of our awaitables and can cancel it before it starts", async () => {
  await run(function* () {
    const slept = createTask(sleep(0, "slept"));
    assert.equal(yield* slept, "slept");
    const never = createTask(sleep(0, "never"));
    never.cancel();
    try {
      yield* never;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
  });
});

Deno.test("Task rejects a Promise, which is already running", async () => {
  await run(function* () {
    assert.throws(
      () => createTask(Promise.resolve(1) as never),
      (e) => e instanceof TypeError && /already running/.test(e.message),
    );
    yield* sleep(0);
  });
});

Deno.test("Task reports a bad yield as an error in the coroutine", async () => {
  await assert.rejects(
    run(function* () {
      yield 42;
    }),
    (e) =>
      e instanceof RuntimeError && /got 42 from a bare yield/.test(e.message),
  );
});

Deno.test("Task: yield of a Future without * is a RuntimeError naming yield* (test_yield_vs_yield_from)", async () => {
  let caught: unknown;
  const value = await run(function* () {
    const fut = new Future<number>();
    fut.getLoop().callSoon(() => fut.setResult(1));
    try {
      yield fut;
    } catch (err) {
      caught = err;
    }
    return yield* fut; // the future itself is untouched
  });
  assert.equal(value, 1);
  assert.ok(caught instanceof RuntimeError);
  assert.match(caught.message, /bare yield: use yield\* to wait for it/);
});

Deno.test("Task: yield of sleep() or lock.acquire() without * says to use yield*", async () => {
  for (const make of [() => sleep(1), () => new Lock().acquire()]) {
    await assert.rejects(
      run(function* () {
        yield make();
      }, { clock: "virtual" }),
      (e) =>
        e instanceof RuntimeError &&
        /one of our awaitables .* use yield\* to wait for it/.test(e.message),
    );
  }
});

Deno.test("Task that awaits itself fails with a clear error", async () => {
  await assert.rejects(
    run(function* (): Coro<void> {
      const me = currentTask()!;
      yield* me;
    }),
    /cannot await itself/,
  );
});

Deno.test("Task.getStack() shows where a generator task is suspended in debug mode", async () => {
  await run(function* () {
    const t = createTask(function* waitsHere() {
      yield* sleep(1);
    });
    yield* sleep(0);
    assert.ok(t.getStack().some((line) => line.includes("waitsHere")));
    t.cancel();
  }, { clock: "virtual", debug: true });
});

Deno.test("Task (async) cancelled after its await was woken keeps the value it got (cancel race)", async () => {
  await run(function* () {
    const loop = currentTask()!.getLoop();
    const q = new Queue<number>();
    let got: number | undefined;
    const t = createTask(async () => {
      got = await q.get();
      return got;
    });
    yield* sleep(0);
    yield* sleep(0);
    q.putNowait(1); // wakes t's await in the next iteration...
    loop.callSoon(() => t.cancel()); // ...and this lands right after it
    yield* gather([t], { returnExceptions: true });
    // The item is either still queued or the task's result: never lost.
    if (t.cancelled()) {
      assert.equal(got, undefined);
      assert.equal(q.getNowait(), 1);
    } else {
      assert.equal(t.result(), 1);
      assert.equal(q.qsize(), 0);
    }
  });
});

Deno.test("Task (async) storm of cancelled one-shot getters loses no item", async () => {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  await run(function* () {
    const loop = currentTask()!.getLoop();
    const q = new Queue<number>();
    const tasks: Task<number>[] = [];
    const N = 300;
    for (let i = 0; i < N; i++) {
      const t = createTask(async () => await q.get());
      tasks.push(t);
      if (rnd() < 0.5) yield* sleep(0);
      q.putNowait(i);
      const victim = tasks[Math.floor(rnd() * tasks.length)];
      if (rnd() < 0.5) victim.cancel();
      else loop.callSoon(() => victim.cancel());
    }
    yield* gather(tasks, { returnExceptions: true });
    const seen: number[] = [];
    for (const t of tasks) if (!t.cancelled()) seen.push(t.result());
    while (!q.empty()) seen.push(q.getNowait());
    seen.sort((a, b) => a - b);
    assert.deepEqual(seen, Array.from({ length: N }, (_, i) => i));
  });
});

Deno.test("Task (async) awaiting itself is a RuntimeError, and cancel() does not recurse", async () => {
  await run(function* () {
    let self: Task<void> | null = null;
    const t: Task<void> = createTask(async () => {
      self = t;
      await t;
    });
    yield* gather([t], { returnExceptions: true });
    assert.equal(self, t);
    assert.ok(t.exception() instanceof RuntimeError);
    assert.match(String(t.exception()), /from inside itself/);
    assert.equal(t.cancel(), false);
  });
});

Deno.test("Task (async) awaiting another loop's future is a RuntimeError", async () => {
  using other = newEventLoop();
  await assert.rejects(
    run(async () => {
      await other.createFuture();
    }),
    (e) => e instanceof RuntimeError && /different loop/.test(e.message),
  );
});

Deno.test("Task.setResult() and setException() are RuntimeErrors (test_set_result_causes_invalid_state)", async () => {
  await run(function* () {
    let ran = false;
    const t = createTask(function* () {
      ran = true;
      return 1;
    });
    assert.throws(() => t.setResult(2), RuntimeError);
    assert.throws(() => t.setException(new Error("x")), RuntimeError);
    assert.equal(yield* t, 1);
    assert.ok(ran);
  });
});

Deno.test("Task on a closed loop is a RuntimeError and nothing runs", () => {
  const loop = newEventLoop();
  loop.close();
  let ran = false;
  assert.throws(
    () =>
      createTask(function* () {
        ran = true;
      }, { loop, eagerStart: true }),
    (e) => e instanceof RuntimeError && /loop is closed/.test(e.message),
  );
  assert.equal(ran, false);
});

Deno.test("Task name given as a number comes back as its string", async () => {
  await run(function* () {
    const t = createTask(function* () {}, { name: 5 as unknown as string });
    assert.equal(t.getName(), "5");
    yield* t;
  });
});

for (const form of FORMS) {
  Deno.test(`Task cancelling itself is cancelled at its next await (${form}, test_cancel_current_task)`, async () => {
    await run(function* () {
      let t: Task<number> | null = null;
      t = form === "generator"
        ? createTask(function* () {
          yield* sleep(0);
          t!.cancel();
          yield* sleep(100);
          return 12;
        })
        : createTask(async () => {
          await sleep(0);
          t!.cancel();
          await sleep(100);
          return 12;
        });
      yield* gather([t], { returnExceptions: true });
      assert.ok(t.cancelled());
    }, virtual);
  });

  Deno.test(`Task cancelling itself right before it returns ends cancelled (${form})`, async () => {
    await run(function* () {
      let t: Task<number> | null = null;
      t = form === "generator"
        ? createTask(function* () {
          yield* sleep(0);
          t!.cancel();
          return 12;
        })
        : createTask(async () => {
          await sleep(0);
          t!.cancel();
          return 12;
        });
      yield* gather([t], { returnExceptions: true });
      assert.ok(t.cancelled());
    }, virtual);
  });

  Deno.test(`Task.cancel() of a task and of the future it awaits (${form}, test_cancel_both_task_and_inner_future)`, async () => {
    await run(function* () {
      const fut = new Future<number>();
      const t = form === "generator"
        ? createTask(function* () {
          yield* fut;
          return 12;
        })
        : createTask(async () => {
          await fut;
          return 12;
        });
      yield* sleep(0);
      yield* sleep(0);
      fut.cancel();
      t.cancel();
      yield* gather([t], { returnExceptions: true });
      assert.ok(t.cancelled());
      assert.ok(fut.cancelled());
    }, virtual);
  });
}

Deno.test("createTask() with an unknown option names it and the right one", async () => {
  await run(function* () {
    assert.throws(
      () => createTask(function* () {}, { eager_start: true } as never),
      (e) =>
        e instanceof TypeError &&
        /unknown option "eager_start", did you mean "eagerStart"\?/.test(
          e.message,
        ),
    );
    yield* sleep(0);
  });
});
