import assert from "node:assert/strict";
import {
  ALL_COMPLETED,
  CancelledError,
  type Coro,
  createTask,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  getRunningLoop,
  run,
  sleep,
  wait,
} from "../../mod.ts";
import { awaitIn, failure, FORMS, settleIn, virtual } from "./_forms.ts";

function* napThenReturn(s: number, v: string): Coro<string> {
  yield* sleep(s);
  return v;
}

function* napThenThrow(s: number, err: Error): Coro<never> {
  yield* sleep(s);
  throw err;
}

for (const form of FORMS) {
  Deno.test(`wait() with ALL_COMPLETED returns when all are done (${form})`, async () => {
    await run(function* () {
      const a = createTask(napThenReturn(1, "a"));
      const b = createTask(napThenThrow(2, new RangeError("b")));
      const [done, pending] = yield* awaitIn(
        form,
        () => wait<string>([a, b], { returnWhen: ALL_COMPLETED }),
      );
      assert.deepEqual(done, new Set([a, b]));
      assert.equal(pending.size, 0);
      assert.equal(getRunningLoop().time(), 2);
      // wait() raises nothing: the error stays on its future.
      assert.ok(b.exception() instanceof RangeError);
    }, virtual);
  });

  Deno.test(`wait() with FIRST_COMPLETED returns after the first (${form})`, async () => {
    await run(function* () {
      const a = createTask(napThenReturn(1, "a"));
      const b = createTask(napThenReturn(2, "b"));
      const [done, pending] = yield* awaitIn(
        form,
        () => wait([a, b], { returnWhen: FIRST_COMPLETED }),
      );
      assert.deepEqual([...done], [a]);
      assert.deepEqual([...pending], [b]);
      assert.equal(getRunningLoop().time(), 1);
      assert.equal(yield* b, "b");
    }, virtual);
  });

  Deno.test(`wait() with FIRST_COMPLETED counts a cancellation as completion (${form})`, async () => {
    await run(function* () {
      const a = createTask(napThenReturn(5, "a"));
      const b = createTask(napThenReturn(5, "b"));
      getRunningLoop().callLater(1, () => b.cancel());
      const [done, pending] = yield* awaitIn(
        form,
        () => wait([a, b], { returnWhen: FIRST_COMPLETED }),
      );
      assert.deepEqual([...done], [b]);
      assert.deepEqual([...pending], [a]);
      assert.ok(b.cancelled());
      a.cancel();
    }, virtual);
  });

  Deno.test(`wait() with FIRST_EXCEPTION returns at the first error (${form})`, async () => {
    await run(function* () {
      const ok = createTask(napThenReturn(5, "ok"));
      const early = createTask(napThenReturn(0.5, "early"));
      const bad = createTask(napThenThrow(1, new Error("bad")));
      const [done, pending] = yield* awaitIn(
        form,
        () => wait<string>([ok, early, bad], { returnWhen: FIRST_EXCEPTION }),
      );
      assert.deepEqual(done, new Set([early, bad]));
      assert.deepEqual([...pending], [ok]);
      assert.equal(getRunningLoop().time(), 1);
      assert.equal(ok.cancelled(), false);
      ok.cancel();
    }, virtual);
  });

  Deno.test(`wait() with FIRST_EXCEPTION and no error waits for all (${form})`, async () => {
    await run(function* () {
      const a = createTask(napThenReturn(1, "a"));
      const b = createTask(napThenReturn(2, "b"));
      const [done, pending] = yield* awaitIn(
        form,
        () => wait([a, b], { returnWhen: FIRST_EXCEPTION }),
      );
      assert.equal(done.size, 2);
      assert.equal(pending.size, 0);
      assert.equal(getRunningLoop().time(), 2);
    }, virtual);
  });

  Deno.test(`wait() with a timeout returns what is done and cancels nothing (${form})`, async () => {
    await run(function* () {
      const a = createTask(napThenReturn(1, "a"));
      const b = createTask(napThenReturn(5, "b"));
      const [done, pending] = yield* awaitIn(
        form,
        () => wait([a, b], { timeout: 2 }),
      );
      assert.deepEqual([...done], [a]);
      assert.deepEqual([...pending], [b]);
      assert.equal(getRunningLoop().time(), 2);
      assert.equal(b.cancelled(), false);
      assert.equal(yield* b, "b");
    }, virtual);
  });

  Deno.test(`wait() cancelled leaves the futures running (${form})`, async () => {
    await run(function* () {
      const a = createTask(napThenReturn(5, "a"));
      const w = settleIn(form, () => wait([a]));
      yield* sleep(1);
      w.cancel();
      assert.ok(failure(yield* w) instanceof CancelledError);
      assert.equal(a.cancelled(), false);
      assert.equal(yield* a, "a");
    }, virtual);
  });
}

Deno.test("wait() wraps coroutines and promises in futures and returns those", async () => {
  await run(function* () {
    const [done, pending] = yield* wait<string>([
      napThenReturn(1, "coro"),
      Promise.resolve("promise"),
    ]);
    assert.equal(pending.size, 0);
    assert.deepEqual(
      [...done].map((f) => {
        assert.ok(f instanceof Future);
        return f.result();
      }).sort(),
      ["coro", "promise"],
    );
  }, virtual);
});

Deno.test("wait() returns at once for futures already done", async () => {
  await run(function* () {
    const f = new Future<number>();
    f.setResult(1);
    const [done] = yield* wait([f], { timeout: 10 });
    assert.deepEqual([...done], [f]);
    assert.equal(getRunningLoop().time(), 0);
  }, virtual);
});

Deno.test("wait() counts a future passed twice once", async () => {
  await run(function* () {
    const a = createTask(napThenReturn(1, "a"));
    const [done, pending] = yield* wait([a, a]);
    assert.deepEqual([...done], [a]);
    assert.equal(pending.size, 0);
  }, virtual);
});

Deno.test("wait() rejects an empty set, an unknown returnWhen and a bad timeout", async () => {
  await run(function* () {
    assert.throws(() => wait([]), RangeError);
    assert.throws(
      () => wait([sleep(0)], { returnWhen: "SOMETIME" as never }),
      RangeError,
    );
    assert.throws(() => wait([sleep(0)], { timeout: "1" as never }), TypeError);
    yield* sleep(0);
  });
});

Deno.test("wait() of a single Future or coroutine is a TypeError (test_wait_invalid_args)", async () => {
  await run(function* () {
    let ran = false;
    const coro = (function* () {
      ran = true;
    })();
    assert.throws(
      () => wait(coro as never),
      (e) => e instanceof TypeError && /single coroutine/.test(e.message),
    );
    assert.throws(
      () => wait(getRunningLoop().createFuture() as never),
      (e) => e instanceof TypeError && /single Future/.test(e.message),
    );
    assert.throws(
      () => wait([sleep(0)], { return_when: FIRST_COMPLETED } as never),
      /unknown option "return_when", did you mean "returnWhen"\?/,
    );
    yield* sleep(0);
    assert.equal(ran, false);
  });
});
