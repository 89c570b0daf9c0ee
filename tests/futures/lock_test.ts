import assert from "node:assert/strict";
import { _heldWaiters } from "../../futures/_wait.ts";
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
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import { failure, type Form, FORMS, settleIn, virtual } from "./_forms.ts";

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
  assert.equal(lock.locked(), false); // acts when awaited, as in Python
  const it = aw[Symbol.iterator]();
  assert.deepEqual(it.next(), { done: true, value: true });
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
    // As asyncio: unlocked until a resumes, but b may not barge in.
    assert.equal(lock.locked(), false);
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
      const waiters = _heldWaiters(lock);
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

// Dead waiters (issue 9 item 1, issue 10 bug 1).
for (const form of FORMS) {
  Deno.test(`Lock.acquire() under waitFor(…, 0) on a held lock leaves no waiter (${form})`, async () => {
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const r = yield* settleIn(form, () => waitFor(lock.acquire(), 0));
      assert.ok(failure(r) instanceof TimeoutError);
      lock.release();
      assert.equal(lock.locked(), false);
      const log: string[] = [];
      yield* locker(form, lock, log, "next"); // not handed to a dead waiter
      assert.deepEqual(log, ["next"]);
      assert.equal(lock.locked(), false);
    }, virtual);
  });

  Deno.test(`Lock.acquire() under waitFor(…, 0) on a free lock does not take it (${form})`, async () => {
    await run(function* () {
      const lock = new Lock();
      const r = yield* settleIn(form, () => waitFor(lock.acquire(), 0));
      // As asyncio 3.12: the acquiring task is cancelled before it runs.
      assert.ok(failure(r) instanceof TimeoutError);
      assert.equal(lock.locked(), false);
    }, virtual);
  });
}

Deno.test("Lock.acquire() as a task cancelled before its first step takes nothing (test_acquire_cancel)", async () => {
  await run(function* () {
    const lock = new Lock();
    const free = createTask(lock.acquire());
    free.cancel();
    yield* gather([free], { returnExceptions: true });
    assert.ok(free.cancelled());
    assert.equal(lock.locked(), false);
    yield* lock.acquire();
    const t = createTask(lock.acquire());
    t.cancel();
    yield* gather([t], { returnExceptions: true });
    assert.equal(_heldWaiters(lock), 0);
    lock.release();
    assert.equal(lock.locked(), false);
  }, virtual);
});

Deno.test("Lock does not keep waiters of 30,000 zero timeouts", async () => {
  await run(function* () {
    const lock = new Lock();
    yield* lock.acquire();
    for (let i = 0; i < 30_000; i++) {
      try {
        yield* waitFor(lock.acquire(), 0);
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
      }
    }
    assert.ok(_heldWaiters(lock) <= 64, `${_heldWaiters(lock)} waiters kept`);
    lock.release();
    assert.equal(lock.locked(), false);
  }, virtual);
});

Deno.test("Lock.release() with a waiter cancelled after its wake-up passes the lock on (test_cancel_release_race)", async () => {
  await run(function* () {
    const lock = new Lock();
    yield* lock.acquire();
    const log: string[] = [];
    const a = locker("generator", lock, log, "a");
    const b = locker("generator", lock, log, "b");
    yield* settle();
    lock.release(); // wakes a
    a.cancel(); // before a resumes
    yield* gather([a, b], { returnExceptions: true });
    assert.ok(a.cancelled());
    assert.deepEqual(log, ["b"]);
    assert.equal(lock.locked(), false);
  }, virtual);
});

Deno.test("Lock toString() is asyncio's repr", async () => {
  const lock = new Lock();
  assert.equal(String(lock), "<Lock [unlocked]>");
  await run(function* () {
    yield* lock.acquire();
    const t = locker("generator", lock, [], "x");
    yield* settle();
    assert.equal(String(lock), "<Lock [locked, waiters:1]>");
    lock.release();
    yield* t;
  }, virtual);
});

for (const form of FORMS) {
  Deno.test(`Lock: a woken waiter cancelled passes the lock to the next (${form}, test_finished_waiter_cancelled)`, async () => {
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const acquireIn = () =>
        form === "generator"
          ? createTask(function* () {
            return yield* lock.acquire();
          })
          : createTask(async () => await lock.acquire());
      const tb = acquireIn();
      yield* settle();
      assert.equal(_heldWaiters(lock), 1);
      const tc = acquireIn();
      yield* settle();
      tb.cancel();
      lock.release();
      yield* gather([tb, tc], { returnExceptions: true });
      assert.ok(tb.cancelled());
      assert.equal(tc.result(), true);
      assert.ok(lock.locked());
      lock.release();
      assert.equal(lock.locked(), false);
    }, virtual);
  });

  Deno.test(`Lock: FIFO among many waiters, one cancelled in the middle (${form}, test_acquire)`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const ts = ["a", "b", "c", "d"].map((n) => locker(form, lock, log, n));
      yield* settle();
      ts[1].cancel();
      lock.release();
      yield* gather(ts, { returnExceptions: true });
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["a", "c", "d"]);
  });
}
