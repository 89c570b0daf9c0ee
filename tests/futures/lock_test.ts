import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  gather,
  Lock,
  run,
  RuntimeError,
  sleep,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("Lock.acquire() takes a free lock at once", async () => {
  await run(function* () {
    const lock = new Lock();
    assert.equal(yield* lock.acquire(), true);
    assert.ok(lock.locked());
    lock.release();
    assert.equal(lock.locked(), false);
  }, virtual);
});

Deno.test("Lock.acquire() works with await in async functions", async () => {
  await run(async () => {
    const lock = new Lock();
    assert.equal(await lock.acquire(), true);
    lock.release();
  }, virtual);
});

Deno.test("Lock.release() throws when the lock is not held", async () => {
  await run(function* () {
    const lock = new Lock();
    assert.throws(() => lock.release(), RuntimeError);
    assert.equal(lock.locked(), false);
  }, virtual);
});

Deno.test("Lock.hold() releases on dispose in both forms", async () => {
  await run(function* () {
    const lock = new Lock();
    {
      using _held = yield* lock.hold();
      assert.ok(lock.locked());
    }
    assert.equal(lock.locked(), false);
    yield* createTask(async () => {
      {
        await using _held = await lock.hold();
        assert.ok(lock.locked());
      }
      assert.equal(lock.locked(), false);
    });
  }, virtual);
});

Deno.test("Lock serves waiters in FIFO order under 100 contending tasks", async () => {
  const order: number[] = [];
  await run(function* () {
    const lock = new Lock();
    yield* lock.acquire();
    const tasks = [];
    for (let i = 0; i < 100; i++) {
      tasks.push(createTask(
        i % 2 === 0
          ? function* () {
            yield* lock.acquire();
            order.push(i);
            yield* sleep(0);
            lock.release();
          }
          : async () => {
            await lock.acquire();
            order.push(i);
            await sleep(0);
            lock.release();
          },
      ));
      // Let each task queue up before the next is created.
      yield* sleep(0);
      yield* sleep(0);
    }
    lock.release();
    yield* gather(...tasks);
  }, virtual);
  assert.deepEqual(order, [...Array(100).keys()]);
});

for (const form of ["generator", "async"] as const) {
  const waiter = (lock: Lock, log: string[]) =>
    form === "generator"
      ? function* (): Coro<void> {
        yield* lock.acquire();
        log.push("acquired");
        lock.release();
      }
      : async () => {
        await lock.acquire();
        log.push("acquired");
        lock.release();
      };

  Deno.test(`Lock passes the wake-up on when a ${form} waiter is cancelled as it is woken`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const a = createTask(waiter(lock, log));
      const b = createTask(waiter(lock, log));
      yield* sleep(0);
      yield* sleep(0);
      // Same iteration: hand the lock to a, then cancel a.
      lock.release();
      a.cancel();
      yield* gather([a, b], { returnExceptions: true });
      assert.ok(a.cancelled());
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["acquired"]); // b got it: no deadlock
  });

  Deno.test(`Lock drops a ${form} waiter cancelled while waiting`, async () => {
    const log: string[] = [];
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const a = createTask(waiter(lock, log));
      yield* sleep(0);
      yield* sleep(0);
      a.cancel();
      try {
        yield* a;
      } catch (err) {
        assert.ok(err instanceof CancelledError);
      }
      lock.release();
      assert.equal(lock.locked(), false);
    }, virtual);
    assert.deepEqual(log, []);
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
