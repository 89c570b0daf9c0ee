import assert from "node:assert/strict";
import {
  CancelledError,
  currentTask,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  timeout,
  timeoutAt,
  TimeoutError,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("timeout() turns expiry into TimeoutError in a generator body", async () => {
  await run(function* () {
    const t = timeout(1);
    try {
      yield* t.run(function* () {
        yield* sleep(5);
      });
      assert.fail("should time out");
    } catch (err) {
      assert.ok(err instanceof TimeoutError);
      assert.ok(err.cause instanceof CancelledError);
    }
    assert.ok(t.expired());
    assert.equal(currentTask()!.cancelling(), 0);
    assert.equal(getRunningLoop().time(), 1);
  }, virtual);
});

Deno.test("timeout() turns expiry into TimeoutError in an async body", async () => {
  await run(async () => {
    await assert.rejects(
      async () =>
        await timeout(1).run(async () => {
          await sleep(5);
        }),
      TimeoutError,
    );
    assert.equal(currentTask()!.cancelling(), 0);
  }, virtual);
});

Deno.test("timeout() does nothing when the body finishes in time", async () => {
  const v = await run(function* () {
    const t = timeout(5);
    const r = yield* t.run(function* () {
      yield* sleep(1);
      return "done";
    });
    assert.equal(t.expired(), false);
    return r;
  }, virtual);
  assert.equal(v, "done");
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
    assert.throws(() => t.reschedule(null), RuntimeError);
  }, virtual);
});

Deno.test("nested timeouts: the inner one expires first", async () => {
  await run(function* () {
    const outer = timeout(10);
    yield* outer.run(function* () {
      try {
        yield* timeout(1).run(function* () {
          yield* sleep(5);
        });
      } catch (err) {
        assert.ok(err instanceof TimeoutError);
      }
    });
    assert.equal(outer.expired(), false);
  }, virtual);
});

Deno.test("nested timeouts: the outer one expires first", async () => {
  await run(function* () {
    const inner = { t: null as ReturnType<typeof timeout> | null };
    try {
      yield* timeout(1).run(function* () {
        inner.t = timeout(10);
        yield* inner.t.run(function* () {
          yield* sleep(5);
        });
      });
      assert.fail("should time out");
    } catch (err) {
      assert.ok(err instanceof TimeoutError);
    }
    // The inner timeout did not claim the cancellation.
    assert.equal(inner.t!.expired(), false);
  }, virtual);
});

Deno.test("timeout() never swallows a cancellation from outside", async () => {
  await run(function* () {
    const me = currentTask()!;
    getRunningLoop().callLater(1, () => me.cancel());
    try {
      yield* timeout(5).run(function* () {
        yield* sleep(10);
      });
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.equal(me.uncancel(), 0);
  }, virtual);
});

Deno.test("timeout() with using throws TimeoutError wrapped by JS in SuppressedError", async () => {
  await run(function* () {
    try {
      using _t = timeout(1);
      yield* sleep(5);
      assert.fail("should time out");
    } catch (err) {
      assert.ok(err instanceof SuppressedError);
      assert.ok(err.error instanceof TimeoutError);
      assert.ok(err.suppressed instanceof CancelledError);
    }
  }, virtual);
});

Deno.test("timeoutAt() outside a task is a clear error", () => {
  assert.throws(() => timeoutAt(1), /no running event loop/);
});

Deno.test("timeout() rejects a delay that is not a number", async () => {
  await run(function* () {
    assert.throws(() => timeout("1" as never), TypeError);
    yield* sleep(0);
  });
});
