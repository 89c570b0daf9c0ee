import assert from "node:assert/strict";
import {
  asCompleted,
  CancelledError,
  type Coro,
  createTask,
  getRunningLoop,
  run,
  sleep,
  TimeoutError,
} from "../../mod.ts";
import { FORMS, virtual } from "./_forms.ts";

function* napThenReturn<T>(s: number, v: T): Coro<T> {
  yield* sleep(s);
  return v;
}

Deno.test("asCompleted() yields awaitables in completion order (generator)", async () => {
  const order = await run(function* () {
    const out: number[] = [];
    for (
      const next of asCompleted<number>([sleep(3, 3), sleep(1, 1), sleep(2, 2)])
    ) {
      out.push(yield* next);
      out.push(getRunningLoop().time());
    }
    return out;
  }, virtual);
  assert.deepEqual(order, [1, 1, 2, 2, 3, 3]);
});

Deno.test("asCompleted() yields awaitables in completion order (async, for of)", async () => {
  const order = await run(async () => {
    const out: number[] = [];
    for (const next of asCompleted<number>([sleep(2, 2), sleep(1, 1)])) {
      out.push(await next);
    }
    return out;
  }, virtual);
  assert.deepEqual(order, [1, 2]);
});

Deno.test("asCompleted() works as an async iterator of results", async () => {
  const order = await run(async () => {
    const out: string[] = [];
    const a = createTask(async () => {
      await sleep(2);
      return "a";
    });
    for await (const r of asCompleted<string>([a, sleep(1, "b")])) out.push(r);
    return out;
  }, virtual);
  assert.deepEqual(order, ["b", "a"]);
});

Deno.test("asCompleted() yields what is already done first", async () => {
  await run(function* () {
    const done = createTask(napThenReturn(0, "done"));
    yield* sleep(0);
    const out: string[] = [];
    for (
      const next of asCompleted([createTask(napThenReturn(1, "later")), done])
    ) {
      out.push(yield* next);
    }
    assert.deepEqual(out, ["done", "later"]);
  }, virtual);
});

Deno.test("asCompleted() raises TimeoutError for what is not done in time (generator)", async () => {
  await run(function* () {
    const slow = createTask(napThenReturn(5, 5));
    const out: unknown[] = [];
    for (
      const next of asCompleted<number>([sleep(1, 1), slow], { timeout: 2 })
    ) {
      try {
        out.push(yield* next);
      } catch (err) {
        out.push(err instanceof TimeoutError ? "timeout" : err);
      }
    }
    assert.deepEqual(out, [1, "timeout"]);
    assert.equal(getRunningLoop().time(), 2);
    // Nothing is cancelled: the slow one still finishes.
    assert.equal(yield* slow, 5);
  }, virtual);
});

Deno.test("asCompleted() raises TimeoutError from the async iterator", async () => {
  await run(async () => {
    const slow = createTask(napThenReturn(5, 5));
    const out: number[] = [];
    await assert.rejects(async () => {
      for await (
        const r of asCompleted<number>([sleep(1, 1), slow], { timeout: 2 })
      ) {
        out.push(r);
      }
    }, TimeoutError);
    assert.deepEqual(out, [1]);
    assert.equal(getRunningLoop().time(), 2);
    assert.equal(await slow, 5);
  }, virtual);
});

Deno.test("asCompleted() keeps raising TimeoutError for every awaitable left", async () => {
  await run(function* () {
    const its = [...asCompleted([sleep(5), sleep(6)], { timeout: 1 })];
    for (const next of its) {
      try {
        yield* next;
        assert.fail("should time out");
      } catch (err) {
        assert.ok(err instanceof TimeoutError);
      }
    }
  }, virtual);
});

Deno.test("asCompleted() surfaces a failed awaitable's error in order", async () => {
  await run(function* () {
    const bad = createTask(async () => {
      await sleep(1);
      throw new RangeError("bad");
    });
    const it = asCompleted<unknown>([bad, sleep(2, "ok")])[Symbol.iterator]();
    try {
      yield* it.next().value!;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof RangeError);
    }
    assert.equal(yield* it.next().value!, "ok");
  }, virtual);
});

Deno.test("asCompleted() surfaces an error from the async iterator", async () => {
  await run(async () => {
    const bad = createTask(async () => {
      await sleep(1);
      throw new RangeError("bad");
    });
    const out: string[] = [];
    await assert.rejects(async () => {
      for await (const r of asCompleted<string>([bad, sleep(0.5, "ok")])) {
        out.push(r);
      }
    }, RangeError);
    assert.deepEqual(out, ["ok"]);
  }, virtual);
});

Deno.test("asCompleted() hands a result taken by a cancelled waiter to the next", async () => {
  await run(function* () {
    const a = createTask(napThenReturn(1, "a"));
    const [first, second] = [...asCompleted([a, sleep(2, "b")])];
    const waiter = createTask(function* () {
      return yield* first;
    });
    // Runs right after asCompleted handed "a" to the waiter, before the
    // waiter resumes: the waiter is cancelled holding a result.
    a.addDoneCallback(() => waiter.cancel());
    try {
      yield* waiter;
      assert.fail("should be cancelled");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.equal(yield* second, "a");
  }, virtual);
});

Deno.test("asCompleted() of nothing yields nothing", async () => {
  await run(async () => {
    assert.deepEqual([...asCompleted([])], []);
    for await (const _ of asCompleted([], { timeout: 1 })) {
      assert.fail("nothing to yield");
    }
  }, virtual);
});

Deno.test("asCompleted() rejects a timeout that is not a number", async () => {
  await run(function* () {
    assert.throws(
      () => asCompleted([sleep(0)], { timeout: "1" as never }),
      TypeError,
    );
    yield* sleep(0);
  });
});

Deno.test("asCompleted() given the same coroutine twice runs it once (test_as_completed_duplicate_coroutines)", async () => {
  const results = await run(function* () {
    const c = sleep(0, "ok");
    const out: string[] = [];
    for (const aw of asCompleted([c, c])) out.push(yield* aw);
    return out;
  });
  assert.deepEqual(results, ["ok"]);
});

for (const form of FORMS) {
  Deno.test(`asCompleted(): the first awaitable awaited gets the first result (${form}, test_as_completed_reverse_wait)`, async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const futs = [...asCompleted([sleep(0.05, "a"), sleep(0.1, "b")])];
      assert.equal(futs.length, 2);
      const t = createTask(
        form === "generator"
          ? function* () {
            const x = yield* futs[1];
            const tx = loop.time();
            const y = yield* futs[0];
            return [x, tx, y, loop.time()];
          }
          : async () => {
            const x = await futs[1];
            const tx = loop.time();
            const y = await futs[0];
            return [x, tx, y, loop.time()];
          },
      );
      assert.deepEqual(yield* t, ["a", 0.05, "b", 0.1]);
    }, virtual);
  });
}

Deno.test("asCompleted() of a single Future or coroutine is a TypeError that runs nothing (test_as_completed_coroutine_without_loop)", async () => {
  await run(function* () {
    let ran = false;
    const coro = (function* () {
      ran = true;
    })();
    assert.throws(
      () => asCompleted(coro as never),
      (e) => e instanceof TypeError && /single coroutine/.test(e.message),
    );
    assert.throws(
      () => asCompleted(getRunningLoop().createFuture() as never),
      (e) => e instanceof TypeError && /single Future/.test(e.message),
    );
    assert.throws(() => asCompleted([1] as never), TypeError);
    assert.throws(
      () => asCompleted([], { time_out: 1 } as never),
      /unknown option "time_out"/,
    );
    yield* sleep(0);
    assert.equal(ran, false);
  });
});
