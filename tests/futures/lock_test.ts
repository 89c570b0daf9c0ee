import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  Future,
  gather,
  Lock,
  run,
  RuntimeError,
  sleep,
  type Task,
} from "../../mod.ts";
import { type Form, FORMS, virtual } from "./_forms.ts";

/** A task that acquires `lock`, logs `name`, holds it one iteration, releases. */
function locker(form: Form, lock: Lock, log: string[], name: string) {
  return createTask(
    form === "generator"
      ? function* (): Coro<void> {
        yield* lock.acquire();
        log.push(name);
        yield* sleep(0);
        lock.release();
      }
      : async () => {
        await lock.acquire();
        log.push(name);
        await sleep(0);
        lock.release();
      },
  );
}

/** Let queued tasks run up to their first wait. */
function* settle(): Coro<void> {
  yield* sleep(0);
  yield* sleep(0);
}

Deno.test("Lock.acquire() on a free lock needs no Future and no running loop", () => {
  const lock = new Lock();
  const aw = lock.acquire();
  assert.ok(!(aw instanceof Future));
  assert.ok(!(aw instanceof Promise));
  assert.ok(lock.locked());
  lock.release();
  assert.equal(lock.locked(), false);
});

Deno.test("Lock.release() throws when the lock is not held", () => {
  const lock = new Lock();
  assert.throws(
    () => lock.release(),
    (err: unknown) =>
      err instanceof RuntimeError &&
      /^Cannot release the lock: .*acquire\(\) first$/.test(err.message),
  );
  assert.equal(lock.locked(), false);
});

Deno.test("Lock.release() hands the lock to the oldest waiter, not to a newcomer", async () => {
  const log: string[] = [];
  await run(function* () {
    const lock = new Lock();
    yield* lock.acquire();
    const a = locker("generator", lock, log, "a");
    yield* settle();
    lock.release();
    assert.ok(lock.locked()); // already a's
    const b = locker("generator", lock, log, "b");
    yield* gather(a, b);
  }, virtual);
  assert.deepEqual(log, ["a", "b"]);
});

Deno.test("Lock.hold() guard disposed twice releases once", async () => {
  await run(function* () {
    const lock = new Lock();
    const guard = yield* lock.hold();
    guard[Symbol.dispose]();
    yield* lock.acquire(); // someone else's now
    guard[Symbol.dispose]();
    assert.ok(lock.locked());
    lock.release();
  }, virtual);
});

for (const form of FORMS) {
  Deno.test(`Lock.acquire() takes a free lock at once and resolves to true (${form})`, async () => {
    await run(
      form === "generator"
        ? function* () {
          const lock = new Lock();
          assert.equal(yield* lock.acquire(), true);
          assert.ok(lock.locked());
          lock.release();
          assert.equal(lock.locked(), false);
        }
        : async () => {
          const lock = new Lock();
          assert.equal(await lock.acquire(), true);
          assert.ok(lock.locked());
          lock.release();
          assert.equal(lock.locked(), false);
        },
      virtual,
    );
  });

  Deno.test(`Lock.hold() releases on dispose, also on a throw (${form})`, async () => {
    await run(
      form === "generator"
        ? function* () {
          const lock = new Lock();
          {
            using _held = yield* lock.hold();
            assert.ok(lock.locked());
          }
          assert.equal(lock.locked(), false);
          try {
            using _held = yield* lock.hold();
            throw new Error("boom");
          } catch { /* expected */ }
          assert.equal(lock.locked(), false);
        }
        : async () => {
          const lock = new Lock();
          {
            await using _held = await lock.hold();
            assert.ok(lock.locked());
          }
          assert.equal(lock.locked(), false);
          try {
            using _held = await lock.hold();
            throw new Error("boom");
          } catch { /* expected */ }
          assert.equal(lock.locked(), false);
        },
      virtual,
    );
  });

  Deno.test(`Lock.hold() waits while held and releases on dispose (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const t = createTask(
        form === "generator"
          ? function* () {
            using _held = yield* lock.hold();
            log.push("in");
          }
          : async () => {
            using _held = await lock.hold();
            log.push("in");
          },
      );
      yield* sleep(1);
      assert.deepEqual(log, []);
      lock.release();
      yield* t;
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["in"]);
  });

  Deno.test(`Lock serves waiters in FIFO order under 100 contending tasks (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const tasks: Task<void>[] = [];
      for (let i = 0; i < 100; i++) {
        tasks.push(locker(form, lock, log, String(i)));
        yield* settle(); // each queues up before the next is created
      }
      lock.release();
      yield* gather(...tasks);
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, [...Array(100).keys()].map(String));
  });

  Deno.test(`Lock keeps mutual exclusion for 100 tasks holding it across sleep(0) (${form})`, async () => {
    let inside = 0, peak = 0, count = 0;
    await run(function* () {
      const lock = new Lock();
      const tasks = [];
      for (let t = 0; t < 100; t++) {
        tasks.push(createTask(
          form === "generator"
            ? function* () {
              for (let i = 0; i < 20; i++) {
                using _held = yield* lock.hold();
                peak = Math.max(peak, ++inside);
                yield* sleep(0);
                inside--;
                count++;
              }
            }
            : async () => {
              for (let i = 0; i < 20; i++) {
                using _held = await lock.hold();
                peak = Math.max(peak, ++inside);
                await sleep(0);
                inside--;
                count++;
              }
            },
        ));
      }
      yield* gather(...tasks);
    }, virtual);
    assert.equal(peak, 1);
    assert.equal(count, 2000);
  });

  Deno.test(`Lock passes the wake-up on when a ${form} waiter is cancelled as it is woken`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const a = locker(form, lock, log, "a");
      const b = locker(form, lock, log, "b");
      yield* settle();
      // Same iteration: hand the lock to a, then cancel a.
      lock.release();
      a.cancel();
      yield* gather([a, b], { returnExceptions: true });
      assert.ok(a.cancelled());
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["b"]); // b got it: no deadlock
  });

  Deno.test(`Lock drops a ${form} waiter cancelled while waiting`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const a = locker(form, lock, log, "a");
      yield* settle();
      a.cancel();
      yield* settle();
      assert.ok(a.cancelled());
      lock.release();
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, []);
  });

  Deno.test(`Lock does not pile up ${form} waiters cancelled while it is held`, async () => {
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      for (let i = 0; i < 1000; i++) {
        const t = locker(form, lock, [], "x");
        yield* settle();
        t.cancel();
        yield* settle();
      }
      const waiters = Number(/waiters=(\d+)/.exec(String(lock))![1]);
      assert.ok(waiters <= 64, `${waiters} cancelled waiters kept`);
      lock.release();
      assert.equal(lock.locked(), false);
    }, virtual);
  });
}

Deno.test("Lock.acquire() waits on the virtual clock while held", async () => {
  await run(function* () {
    const lock = new Lock();
    yield* lock.acquire();
    const t = createTask(function* () {
      yield* lock.acquire();
      return "got it";
    });
    yield* sleep(10);
    assert.equal(t.done(), false);
    lock.release();
    assert.equal(yield* t, "got it");
  }, virtual);
});

Deno.test("Lock.acquire() in a cancelled task raises CancelledError", async () => {
  await run(function* () {
    const lock = new Lock();
    yield* lock.acquire();
    const t = createTask(function* () {
      yield* lock.acquire();
    });
    yield* sleep(0);
    t.cancel();
    yield* gather([t], { returnExceptions: true });
    assert.throws(() => t.result(), CancelledError);
    lock.release();
  }, virtual);
});
