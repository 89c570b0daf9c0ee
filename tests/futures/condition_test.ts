import assert from "node:assert/strict";
import {
  CancelledError,
  Condition,
  createTask,
  gather,
  Lock,
  run,
  RuntimeError,
  sleep,
} from "../../mod.ts";

Deno.test("Condition.wait() without the lock is a clear error", async () => {
  await run(function* () {
    const cond = new Condition();
    assert.throws(() => cond.wait(), RuntimeError);
    assert.throws(() => cond.notify(), RuntimeError);
    assert.throws(() => cond.notifyAll(), RuntimeError);
  }, { clock: "virtual" });
});

Deno.test("Condition rejects a lock that is not a Lock", () => {
  assert.throws(() => new Condition({} as Lock), TypeError);
});

Deno.test("Condition.notify() wakes one waiter, notifyAll() the rest", async () => {
  const woke: string[] = [];
  await run(function* () {
    const cond = new Condition();
    const mk = (name: string) =>
      createTask(function* () {
        using _held = yield* cond.hold();
        yield* cond.wait();
        woke.push(name);
      });
    const a = mk("a");
    const b = createTask(async () => {
      using _held = await cond.hold();
      await cond.wait();
      woke.push("b");
    });
    const c = mk("c");
    yield* sleep(0);
    yield* sleep(0);
    {
      using _held = yield* cond.hold();
      cond.notify(1);
    }
    yield* sleep(0);
    yield* sleep(0);
    assert.deepEqual(woke, ["a"]);
    {
      using _held = yield* cond.hold();
      cond.notifyAll();
    }
    yield* gather(a, b, c);
  }, { clock: "virtual" });
  assert.deepEqual(woke, ["a", "b", "c"]);
});

Deno.test("Condition.waitFor() returns the predicate's value once true", async () => {
  await run(function* () {
    const cond = new Condition();
    let value = 0;
    const t = createTask(function* () {
      using _held = yield* cond.hold();
      return yield* cond.waitFor(() => value >= 2 && value);
    });
    for (let i = 1; i <= 2; i++) {
      yield* sleep(0);
      using _held = yield* cond.hold();
      value = i;
      cond.notifyAll();
    }
    assert.equal(yield* t, 2);
  }, { clock: "virtual" });
});

for (const form of ["generator", "async"] as const) {
  Deno.test(`Condition.wait() cancelled in a ${form} task re-acquires the lock first`, async () => {
    await run(function* () {
      const lock = new Lock();
      const cond = new Condition(lock);
      let heldWhenCancelled: boolean | undefined;
      const t = createTask(
        form === "generator"
          ? function* () {
            yield* cond.acquire();
            try {
              yield* cond.wait();
            } catch (err) {
              heldWhenCancelled = lock.locked();
              cond.release();
              throw err;
            }
          }
          : async () => {
            await cond.acquire();
            try {
              await cond.wait();
            } catch (err) {
              heldWhenCancelled = lock.locked();
              cond.release();
              throw err;
            }
          },
      );
      yield* sleep(0);
      yield* sleep(0);
      // Someone else holds the lock when the cancel arrives.
      yield* lock.acquire();
      t.cancel();
      yield* sleep(0);
      assert.equal(t.done(), false); // still waiting for the lock
      lock.release();
      try {
        yield* t;
      } catch (err) {
        assert.ok(err instanceof CancelledError);
      }
      assert.equal(heldWhenCancelled, true);
      assert.equal(lock.locked(), false);
    }, { clock: "virtual" });
  });
}

Deno.test("Condition.notify() given to a waiter cancelled as it wakes passes on", async () => {
  const woke: string[] = [];
  await run(function* () {
    const cond = new Condition();
    const mk = (name: string) =>
      createTask(function* () {
        using _held = yield* cond.hold();
        yield* cond.wait();
        woke.push(name);
      });
    const a = mk("a");
    const b = mk("b");
    yield* sleep(0);
    yield* sleep(0);
    {
      using _held = yield* cond.hold();
      cond.notify(1);
      a.cancel();
    }
    yield* gather([a, b], { returnExceptions: true });
  }, { clock: "virtual" });
  assert.deepEqual(woke, ["b"]);
});
