import assert from "node:assert/strict";
import {
  CancelledError,
  Condition,
  type Coro,
  createTask,
  gather,
  Lock,
  run,
  RuntimeError,
  sleep,
  type Task,
} from "../../mod.ts";
import { type Form, FORMS, virtual } from "./_forms.ts";

/** A task that waits on `cond` (holding its lock) and logs `name` when woken. */
function waiter(
  form: Form,
  cond: Condition,
  log: string[],
  name: string,
): Task<void> {
  return createTask(
    form === "generator"
      ? function* (): Coro<void> {
        using _held = yield* cond.hold();
        yield* cond.wait();
        assert.ok(cond.locked());
        log.push(name);
      }
      : async () => {
        using _held = await cond.hold();
        await cond.wait();
        assert.ok(cond.locked());
        log.push(name);
      },
  );
}

/** Run everything that is ready (the virtual clock jumps once all wait). */
function* settle(): Coro<void> {
  yield* sleep(1);
}

Deno.test("Condition.wait() and notify() without the lock are clear errors", async () => {
  await run(function* () {
    const cond = new Condition();
    const notHeld = (err: unknown) =>
      err instanceof RuntimeError &&
      /^Cannot (wait|notify): the condition's lock is not acquired/.test(
        err.message,
      );
    assert.throws(() => cond.wait(), notHeld);
    // waitFor() checks when it has to wait (a true predicate needs no lock).
    assert.equal(yield* cond.waitFor(() => true), true);
    let err: unknown;
    try {
      yield* cond.waitFor(() => false);
    } catch (e) {
      err = e;
    }
    assert.ok(notHeld(err));
    assert.throws(() => cond.notify(), notHeld);
    assert.throws(() => cond.notifyAll(), notHeld);
    assert.equal(cond.locked(), false);
  }, virtual);
});

Deno.test("Condition rejects a lock that is not a Lock", () => {
  assert.throws(() => new Condition({} as Lock), TypeError);
});

Deno.test("Condition uses the lock it is given", async () => {
  await run(function* () {
    const lock = new Lock();
    const cond = new Condition(lock);
    yield* lock.acquire();
    assert.ok(cond.locked());
    cond.release();
    assert.equal(lock.locked(), false);
  }, virtual);
});

Deno.test("Condition.notify() with a bad count is a clear error and wakes nobody", async () => {
  const log: string[] = [];
  await run(function* () {
    const cond = new Condition();
    const a = waiter("generator", cond, log, "a");
    yield* settle();
    {
      using _held = yield* cond.hold();
      assert.throws(() => cond.notify(-1), RangeError);
      assert.throws(() => cond.notify(NaN), RangeError);
      assert.throws(() => cond.notify(1.5), RangeError);
    }
    yield* settle();
    assert.deepEqual(log, []);
    {
      using _held = yield* cond.hold();
      cond.notify();
    }
    yield* a;
  }, virtual);
  assert.deepEqual(log, ["a"]);
});

for (const form of FORMS) {
  Deno.test(`Condition.wait() resolves to true holding the lock again (${form})`, async () => {
    await run(function* () {
      const cond = new Condition();
      const t = createTask(
        form === "generator"
          ? function* () {
            yield* cond.acquire();
            const r = yield* cond.wait();
            const held = cond.locked();
            cond.release();
            return [r, held];
          }
          : async () => {
            await cond.acquire();
            const r = await cond.wait();
            const held = cond.locked();
            cond.release();
            return [r, held];
          },
      );
      yield* settle();
      assert.equal(cond.locked(), false); // released while waiting
      yield* cond.acquire();
      cond.notify();
      cond.release();
      assert.deepEqual(yield* t, [true, true]);
    }, virtual);
  });

  Deno.test(`Condition.notify(n) wakes the n oldest waiters, notifyAll() the rest (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const tasks = ["a", "b", "c", "d"].map((name) =>
        waiter(form, cond, log, name)
      );
      yield* settle();
      {
        using _held = yield* cond.hold();
        cond.notify(2);
      }
      yield* settle();
      assert.deepEqual(log, ["a", "b"]);
      {
        using _held = yield* cond.hold();
        cond.notifyAll();
      }
      yield* gather(...tasks);
    }, virtual);
    assert.deepEqual(log, ["a", "b", "c", "d"]);
  });

  Deno.test(`Condition.waitFor() returns the predicate's first truthy value (${form})`, async () => {
    await run(function* () {
      const cond = new Condition();
      let value = 0;
      let checks = 0;
      const pred = () => {
        checks++;
        return value >= 2 && `value ${value}`;
      };
      const t = createTask(
        form === "generator"
          ? function* () {
            using _held = yield* cond.hold();
            return yield* cond.waitFor(pred);
          }
          : async () => {
            using _held = await cond.hold();
            return await cond.waitFor(pred);
          },
      );
      for (let i = 1; i <= 2; i++) {
        yield* settle();
        using _held = yield* cond.hold();
        value = i;
        cond.notifyAll();
      }
      assert.equal(yield* t, "value 2");
      assert.equal(checks, 3);
    }, virtual);
  });

  Deno.test(`Condition.waitFor() with a true predicate returns at once, keeping the lock (${form})`, async () => {
    await run(
      form === "generator"
        ? function* () {
          const cond = new Condition();
          using _held = yield* cond.hold();
          assert.equal(yield* cond.waitFor(() => 7), 7);
          assert.ok(cond.locked());
        }
        : async () => {
          const cond = new Condition();
          using _held = await cond.hold();
          assert.equal(await cond.waitFor(() => 7), 7);
          assert.ok(cond.locked());
        },
      virtual,
    );
  });

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
      yield* settle();
      // Someone else holds the lock when the cancel arrives.
      yield* lock.acquire();
      t.cancel();
      yield* settle();
      assert.equal(t.done(), false); // still waiting for the lock
      lock.release();
      yield* gather([t], { returnExceptions: true });
      assert.throws(() => t.result(), CancelledError);
      assert.equal(heldWhenCancelled, true);
      assert.equal(lock.locked(), false);
    }, virtual);
  });

  Deno.test(`Condition.notify() given to a ${form} waiter cancelled as it wakes passes on`, async () => {
    const log: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const a = waiter(form, cond, log, "a");
      const b = waiter(form, cond, log, "b");
      yield* settle();
      {
        using _held = yield* cond.hold();
        cond.notify(1);
        a.cancel(); // same iteration as the wake-up
      }
      yield* gather([a, b], { returnExceptions: true });
      assert.ok(a.cancelled());
      assert.equal(cond.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["b"]);
  });

  Deno.test(`Condition.notify() given to a ${form} waiter cancelled while re-acquiring the lock passes on`, async () => {
    const log: string[] = [];
    await run(function* () {
      const cond = new Condition();
      const a = waiter(form, cond, log, "a");
      const b = waiter(form, cond, log, "b");
      yield* settle();
      yield* cond.acquire();
      cond.notify(1);
      yield* settle(); // a is woken and now waits for the lock
      a.cancel();
      yield* settle();
      cond.release(); // a re-acquires, then raises, then its `using` releases
      yield* gather([a, b], { returnExceptions: true });
      assert.ok(a.cancelled());
      assert.equal(cond.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["b"]);
  });
}

Deno.test("Condition.wait() in an async task cancelled after it returned, before the task resumed, passes the notification on", async () => {
  const log: string[] = [];
  await run(function* () {
    const cond = new Condition();
    const a = waiter("async", cond, log, "a");
    const b = waiter("async", cond, log, "b");
    yield* settle();
    yield* cond.acquire();
    cond.notify(1);
    cond.release();
    // a's wait re-acquires the lock and returns in the next iteration; its
    // task resumes one later. Cancel in between.
    yield* sleep(0);
    a.cancel();
    yield* gather([a, b], { returnExceptions: true });
    assert.ok(a.cancelled());
    assert.equal(cond.locked(), false);
  }, virtual);
  assert.deepEqual(log, ["b"]);
});
