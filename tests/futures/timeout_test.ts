import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  type Timeout,
  timeout,
  timeoutAt,
  TimeoutError,
} from "../../mod.ts";
import { failure, FORMS, settleIn, virtual } from "./_forms.ts";

/** `t.run(body)` with a body that sleeps `s` seconds, in `form`. */
function sleepUnder(form: "generator" | "async", t: Timeout, s: number) {
  return form === "generator"
    ? t.run(function* () {
      yield* sleep(s);
      return "slept";
    })
    : t.run(async () => {
      await sleep(s);
      return "slept";
    });
}

for (const form of FORMS) {
  Deno.test(`timeout() turns expiry into TimeoutError (${form})`, async () => {
    await run(function* () {
      let t = null as Timeout | null;
      const s = settleIn(form, () => sleepUnder(form, t = timeout(1), 5));
      const err = failure(yield* s);
      assert.ok(err instanceof TimeoutError);
      assert.ok(err.cause instanceof CancelledError);
      assert.ok(t!.expired());
      assert.equal(s.cancelling(), 0, "the timeout took its cancel back");
      assert.equal(getRunningLoop().time(), 1);
    }, virtual);
  });

  Deno.test(`timeout() returns the body's result when it finishes in time (${form})`, async () => {
    await run(function* () {
      let t = null as Timeout | null;
      const s = settleIn(form, () => sleepUnder(form, t = timeout(5), 1));
      assert.deepEqual(yield* s, { ok: true, value: "slept" });
      assert.equal(t!.expired(), false);
      assert.equal(getRunningLoop().time(), 1);
      // The deadline is gone: nothing fires at t=5.
      yield* sleep(10);
      assert.equal(s.cancelling(), 0);
    }, virtual);
  });

  Deno.test(`timeout() passes the body's own error through (${form})`, async () => {
    await run(function* () {
      const boom = new RangeError("boom");
      const s = settleIn(
        form,
        () =>
          form === "generator"
            ? timeout(5).run(function* () {
              yield* sleep(1);
              throw boom;
            })
            : timeout(5).run(async () => {
              await sleep(1);
              throw boom;
            }),
      );
      assert.equal(failure(yield* s), boom);
    }, virtual);
  });

  Deno.test(`timeout() whose body swallows the cancellation ends normally (${form})`, async () => {
    await run(function* () {
      let t = null as Timeout | null;
      const s = settleIn(form, () => {
        t = timeout(1);
        return form === "generator"
          ? t.run(function* () {
            try {
              yield* sleep(5);
            } catch {
              return "swallowed";
            }
            return "slept";
          })
          : t.run(async () => {
            try {
              await sleep(5);
            } catch {
              return "swallowed";
            }
            return "slept";
          });
      });
      assert.deepEqual(yield* s, { ok: true, value: "swallowed" });
      assert.ok(t!.expired());
      assert.equal(s.cancelling(), 0);
    }, virtual);
  });

  Deno.test(`nested timeouts: the inner one expires first (${form})`, async () => {
    await run(function* () {
      let outer = null as Timeout | null;
      let inner = null as Timeout | null;
      const s = settleIn(form, () => {
        outer = timeout(10);
        return form === "generator"
          ? outer.run(function* () {
            try {
              yield* (inner = timeout(1)).run(function* () {
                yield* sleep(5);
              });
            } catch (err) {
              assert.ok(err instanceof TimeoutError);
            }
            yield* sleep(1);
            return "outer body went on";
          })
          : outer.run(async () => {
            await assert.rejects(
              async () =>
                await (inner = timeout(1)).run(async () => {
                  await sleep(5);
                }),
              TimeoutError,
            );
            await sleep(1);
            return "outer body went on";
          });
      });
      assert.deepEqual(yield* s, { ok: true, value: "outer body went on" });
      assert.ok(inner!.expired());
      assert.equal(outer!.expired(), false);
      assert.equal(getRunningLoop().time(), 2);
    }, virtual);
  });

  Deno.test(`nested timeouts: the outer one expires first (${form})`, async () => {
    await run(function* () {
      let outer = null as Timeout | null;
      let inner = null as Timeout | null;
      let innerSaw: unknown = null;
      const s = settleIn(form, () => {
        outer = timeout(1);
        return form === "generator"
          ? outer.run(function* () {
            try {
              yield* (inner = timeout(10)).run(function* () {
                yield* sleep(5);
              });
            } catch (err) {
              innerSaw = err;
              throw err;
            }
          })
          : outer.run(async () => {
            try {
              await (inner = timeout(10)).run(async () => {
                await sleep(5);
              });
            } catch (err) {
              innerSaw = err;
              throw err;
            }
          });
      });
      const err = failure(yield* s);
      assert.ok(err instanceof TimeoutError);
      // The inner timeout let the outer's cancellation through untouched.
      assert.ok(innerSaw instanceof CancelledError);
      assert.equal(inner!.expired(), false);
      assert.ok(outer!.expired());
      assert.equal(getRunningLoop().time(), 1);
    }, virtual);
  });

  Deno.test(`timeout() never swallows a cancellation from outside (${form})`, async () => {
    await run(function* () {
      const s = settleIn(form, () => sleepUnder(form, timeout(5), 10));
      getRunningLoop().callLater(1, () => s.cancel());
      assert.ok(failure(yield* s) instanceof CancelledError);
      assert.equal(s.cancelling(), 1);
    }, virtual);
  });

  Deno.test(`timeout() never swallows an outside cancel in the same iteration as the expiry (${form})`, async () => {
    await run(function* () {
      let t = null as Timeout | null;
      const s = settleIn(form, () => sleepUnder(form, t = timeout(1), 10));
      yield* sleep(0);
      // Scheduled after the deadline, for the same time: runs right after it.
      getRunningLoop().callLater(1, () => s.cancel());
      assert.ok(failure(yield* s) instanceof CancelledError);
      assert.ok(t!.expired());
      assert.equal(s.cancelling(), 1);
    }, virtual);
  });

  Deno.test(`timeout().reschedule() moves the deadline later (${form})`, async () => {
    await run(function* () {
      let t = null as Timeout | null;
      const loop = getRunningLoop();
      const s = settleIn(form, () => sleepUnder(form, t = timeout(1), 3));
      loop.callLater(0.5, () => t!.reschedule(loop.time() + 5));
      assert.deepEqual(yield* s, { ok: true, value: "slept" });
      assert.equal(t!.when(), 5.5);
      assert.equal(t!.expired(), false);
      assert.equal(loop.time(), 3);
    }, virtual);
  });

  Deno.test(`timeout().reschedule() to a past time expires at once (${form})`, async () => {
    await run(function* () {
      let t = null as Timeout | null;
      const loop = getRunningLoop();
      const s = settleIn(form, () => sleepUnder(form, t = timeout(null), 3));
      loop.callLater(0.5, () => t!.reschedule(0));
      assert.ok(failure(yield* s) instanceof TimeoutError);
      assert.ok(t!.expired());
      assert.equal(loop.time(), 0.5);
    }, virtual);
  });

  Deno.test(`timeout() works with using (${form})`, async () => {
    await run(function* () {
      const s = settleIn(
        form,
        () =>
          form === "generator"
            ? createTask(function* () {
              using _t = timeout(1);
              yield* sleep(5);
            })
            : createTask(async () => {
              using _t = timeout(1);
              await sleep(5);
            }),
      );
      const err = failure(yield* s);
      // JS keeps the block's CancelledError and wraps dispose's TimeoutError.
      // Node 20 has no SuppressedError global: the `using` lowering there
      // (esbuild's, as test:runtimes runs) makes an Error of that name.
      const native = (globalThis as { SuppressedError?: unknown })
        .SuppressedError as typeof SuppressedError | undefined;
      if (native !== undefined) assert.ok(err instanceof native);
      const e = err as SuppressedError;
      assert.equal(e.name, "SuppressedError");
      assert.ok(e.error instanceof TimeoutError);
      assert.ok(e.suppressed instanceof CancelledError);
    }, virtual);
  });
}

Deno.test("timeout() with using does nothing when the block finishes in time", async () => {
  const v = await run(function* () {
    {
      using t = timeout(5);
      yield* sleep(1);
      assert.equal(t.expired(), false);
    }
    yield* sleep(10); // the deadline was cancelled with the block
    assert.equal(currentTask()!.cancelling(), 0);
    return getRunningLoop().time();
  }, virtual);
  assert.equal(v, 11);
});

Deno.test("timeout() with using lets an outside cancellation through", async () => {
  await run(function* () {
    const t = createTask(function* () {
      using _t = timeout(5);
      yield* sleep(10);
    });
    yield* sleep(1);
    t.cancel();
    try {
      yield* t;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError, `got ${err}`);
    }
  }, virtual);
});

Deno.test("timeout(null) never expires and reschedule() sets a deadline", async () => {
  await run(function* () {
    const t = timeout(null);
    assert.equal(t.when(), null);
    try {
      yield* t.run(function* () {
        t.reschedule(getRunningLoop().time() + 2);
        yield* sleep(10);
      });
      assert.fail("should time out");
    } catch (err) {
      assert.ok(err instanceof TimeoutError);
    }
    assert.equal(getRunningLoop().time(), 2);
  }, virtual);
});

Deno.test("timeout().when() is the loop time of the deadline", async () => {
  await run(function* () {
    yield* sleep(2);
    assert.equal(timeout(3).when(), 5);
    assert.equal(timeoutAt(7).when(), 7);
    assert.equal(timeoutAt(null).when(), null);
  }, virtual);
});

Deno.test("timeout().reschedule() after expiry or exit is a clear error", async () => {
  await run(function* () {
    const expired = timeout(1);
    try {
      yield* expired.run(function* () {
        yield* sleep(5);
      });
    } catch (err) {
      assert.ok(err instanceof TimeoutError);
    }
    assert.throws(() => expired.reschedule(10), RuntimeError);
    const exited = timeout(1);
    yield* exited.run(function* () {});
    assert.throws(() => exited.reschedule(10), RuntimeError);
  }, virtual);
});

Deno.test("Timeout.run() twice, from another task, or awaited twice is a clear error", async () => {
  await run(function* () {
    const t = timeout(5);
    const scope = t.run(function* () {
      return 1;
    });
    assert.throws(() => t.run(function* () {}), RuntimeError);
    assert.equal(yield* scope, 1);
    assert.throws(() => [...scope], RuntimeError);
    const foreign = timeout(5);
    const other = createTask(function* () {
      return foreign.run(function* () {});
    });
    try {
      yield* other;
      assert.fail("should fail");
    } catch (err) {
      assert.ok(err instanceof RuntimeError);
    }
  }, virtual);
});

Deno.test("timeoutAt() outside a task is a clear error", () => {
  assert.throws(() => timeoutAt(1), /no running event loop/);
});

Deno.test("timeout() rejects a delay that is not a number", async () => {
  await run(function* () {
    assert.throws(() => timeout("1" as never), TypeError);
    assert.throws(() => timeout(NaN), TypeError);
    yield* sleep(0);
  });
});
