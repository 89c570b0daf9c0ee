import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  Future,
  gather,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";
import {
  awaitIn,
  errorOf,
  failure,
  FORMS,
  settleIn,
  virtual,
} from "./_forms.ts";

function* napThenReturn<T>(s: number, v: T): Coro<T> {
  yield* sleep(s);
  return v;
}

function* napThenThrow(s: number, err: Error): Coro<never> {
  yield* sleep(s);
  throw err;
}

for (const form of FORMS) {
  Deno.test(`gather() returns results in argument order, not finishing order (${form})`, async () => {
    const r = await run(function* () {
      const g = awaitIn(
        form,
        () => gather(sleep(3, "a"), sleep(1, "b"), Promise.resolve("c")),
      );
      return yield* g;
    }, virtual);
    assert.deepEqual(r, ["a", "b", "c"]);
  });

  Deno.test(`gather() raises the first error and lets the others run (${form})`, async () => {
    await run(function* () {
      const first = new RangeError("first");
      const other = createTask(napThenReturn(3, "other"));
      const late = createTask(napThenThrow(2, new TypeError("late")));
      const g = awaitIn(
        form,
        () => gather(other, createTask(napThenThrow(1, first)), late),
      );
      yield* sleep(1.5);
      assert.ok(g.done());
      assert.equal(errorOf(g), first);
      // Nothing was cancelled: the others finish on their own.
      assert.equal(yield* other, "other");
      try {
        yield* late;
        assert.fail("late should fail");
      } catch (err) {
        assert.ok(err instanceof TypeError);
      }
      assert.equal(getRunningLoop().time(), 3);
    }, virtual);
  });

  Deno.test(`gather() with returnExceptions puts errors and cancellations in the results (${form})`, async () => {
    const r = await run(function* () {
      const bad = createTask(napThenThrow(1, new RangeError("bad")));
      const cancelled = createTask(napThenReturn(10, "never"));
      getRunningLoop().callLater(2, () => cancelled.cancel("stop"));
      return yield* awaitIn(
        form,
        () => gather([bad, sleep(3, 1), cancelled], { returnExceptions: true }),
      );
    }, virtual);
    assert.equal(r.length, 3);
    assert.ok(r[0] instanceof RangeError);
    assert.equal(r[1], 1);
    assert.ok(r[2] instanceof CancelledError);
    assert.equal(r[2].message, "stop");
  });

  Deno.test(`gather() raises CancelledError when a child is cancelled (${form})`, async () => {
    await run(function* () {
      const child = new Future<number>();
      const sibling = createTask(napThenReturn(5, 2));
      const g = settleIn(form, () => gather(child, sibling));
      yield* sleep(1);
      child.cancel("child stopped");
      yield* sleep(1);
      assert.ok(g.done());
      const err = failure(g.result());
      assert.ok(err instanceof CancelledError);
      assert.equal(err.message, "child stopped");
      // The sibling is not cancelled: only the gather failed.
      assert.equal(yield* sibling, 2);
    }, virtual);
  });

  Deno.test(`gather() cancelled from its awaiting task cancels every child (${form})`, async () => {
    await run(function* () {
      const log: string[] = [];
      const child = (name: string) =>
        createTask(function* () {
          try {
            yield* sleep(10);
          } catch (err) {
            log.push(`${name} ${(err as Error).name}`);
            throw err;
          }
        });
      const a = child("a");
      const b = child("b");
      const waiter = awaitIn(form, () => gather(a, b));
      yield* sleep(1);
      waiter.cancel();
      try {
        yield* waiter;
        assert.fail("should be cancelled");
      } catch (err) {
        assert.ok(err instanceof CancelledError);
      }
      assert.ok(waiter.cancelled());
      assert.ok(a.cancelled() && b.cancelled());
      assert.deepEqual(log.sort(), ["a CancelledError", "b CancelledError"]);
      assert.equal(getRunningLoop().time(), 1);
    }, virtual);
  });
}

Deno.test("gather() of nothing is an empty array", async () => {
  assert.deepEqual(await run(async () => await gather()), []);
  assert.deepEqual(
    await run(function* () {
      return yield* gather([]);
    }),
    [],
  );
});

Deno.test("gather().cancel() cancels every child and raises CancelledError with its message", async () => {
  await run(function* () {
    const a = createTask(function* () {
      yield* sleep(10);
    });
    const b = createTask(async () => await sleep(10));
    const g = gather(a, b);
    yield* sleep(1);
    assert.ok(g.cancel("enough"));
    try {
      yield* g;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
      assert.equal(err.message, "enough");
    }
    assert.ok(a.cancelled());
    assert.ok(b.cancelled());
    assert.equal(g.cancel(), false, "a done gather cannot be cancelled");
  }, virtual);
});

Deno.test("gather().cancel() raises CancelledError even with returnExceptions", async () => {
  await run(function* () {
    const a = createTask(napThenReturn(10, "a"));
    const g = gather([a, sleep(10)], { returnExceptions: true });
    yield* sleep(1);
    assert.ok(g.cancel());
    try {
      yield* g;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.ok(a.cancelled());
  }, virtual);
});

Deno.test("gather() whose children refuse the cancellation still raises CancelledError", async () => {
  await run(function* () {
    const stubborn = createTask(function* () {
      try {
        yield* sleep(10);
      } catch {
        return "kept going";
      }
      return "slept";
    });
    const g = gather(stubborn);
    yield* sleep(1);
    assert.ok(g.cancel());
    try {
      yield* g;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.equal(stubborn.result(), "kept going");
  }, virtual);
});

Deno.test("gather() waits once for an awaitable passed twice", async () => {
  const r = await run(function* () {
    let runs = 0;
    const coro = (function* () {
      runs++;
      yield* sleep(0);
      return 5;
    })();
    const t = createTask(napThenReturn(0, 6));
    const results = yield* gather(coro, coro, t, t);
    return [...results, runs];
  });
  assert.deepEqual(r, [5, 5, 6, 6, 1]);
});

Deno.test("gather() types its results as a tuple", async () => {
  await run(function* () {
    const r: [string, number, boolean] = yield* gather(
      sleep(0, "s"),
      Promise.resolve(1),
      createTask(napThenReturn(0, true)),
    );
    const r2: [number, string] = yield* gather([
      Promise.resolve(2),
      sleep(0, "t"),
    ]);
    assert.deepEqual([r, r2], [["s", 1, true], [2, "t"]]);
  });
});

Deno.test("gather() rejects an options argument that is not an object", async () => {
  await run(function* () {
    assert.throws(() => gather([Promise.resolve(1)], 5 as never), TypeError);
    yield* sleep(0);
  });
});

Deno.test("gather() rejects futures of another loop", async () => {
  // In an array: run() would wait for a Future it is given as the result.
  const [foreign] = await run(function* () {
    return [new Future<number>()];
  });
  await run(function* () {
    assert.throws(() => gather(foreign, new Future<number>()), /different/);
    yield* sleep(0);
  });
});

for (const form of FORMS) {
  Deno.test(`gather(...aws, { returnExceptions: true }) takes trailing options (${form})`, async () => {
    await run(function* () {
      const boom = new Error("boom");
      const r = yield* awaitIn(
        form,
        () =>
          gather(sleep(0, 1), Promise.reject(boom), {
            returnExceptions: true,
          }),
      );
      assert.deepEqual(r, [1, boom]);
    });
  });
}

Deno.test("gather() with an unknown option key names it and the right one", async () => {
  await run(function* () {
    assert.throws(
      () => gather(sleep(0), { return_exceptions: true } as never),
      (e) =>
        e instanceof TypeError &&
        /unknown option "return_exceptions", did you mean "returnExceptions"\?/
          .test(e.message),
    );
    assert.throws(
      () => gather([sleep(0)], { return_exceptions: true } as never),
      TypeError,
    );
    yield* sleep(0);
  });
});

Deno.test("gather(coro, 42) is a TypeError before the coroutine starts", async () => {
  await run(function* () {
    let ran = false;
    const coro = (function* () {
      ran = true;
    })();
    assert.throws(
      () => gather(coro, 42 as never),
      (e) => e instanceof TypeError && /42 is not awaitable/.test(e.message),
    );
    yield* sleep(0);
    assert.equal(ran, false);
  });
});
