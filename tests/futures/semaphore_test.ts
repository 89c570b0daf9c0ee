import assert from "node:assert/strict";
import { _heldWaiters } from "../../futures/_wait.ts";
import {
  BoundedSemaphore,
  type Coro,
  createTask,
  Future,
  gather,
  run,
  Semaphore,
  sleep,
  type Task,
} from "../../mod.ts";
import { type Form, FORMS, virtual } from "./_forms.ts";

/** A task that takes a slot of `sem`, logs `name`, holds it one iteration. */
function taker(
  form: Form,
  sem: Semaphore,
  log: string[],
  name: string,
): Task<void> {
  return createTask(
    form === "generator"
      ? function* (): Coro<void> {
        using _slot = yield* sem.hold();
        log.push(name);
        yield* sleep(0);
      }
      : async () => {
        using _slot = await sem.hold();
        log.push(name);
        await sleep(0);
      },
  );
}

Deno.test("Semaphore rejects an initial value that is negative or not an integer", () => {
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.throws(
      () => new Semaphore(bad),
      (err: unknown) =>
        err instanceof RangeError &&
        /^Cannot create a semaphore: initial value must be an integer >= 0/
          .test(err.message),
    );
    assert.throws(() => new BoundedSemaphore(bad), RangeError);
  }
});

Deno.test("Semaphore.acquire() with a free slot needs no Future and no running loop", () => {
  const sem = new Semaphore(2);
  const aw = sem.acquire();
  assert.ok(!(aw instanceof Future) && !(aw instanceof Promise));
  assert.equal(sem.locked(), false); // acts when awaited, as in Python
  aw[Symbol.iterator]().next();
  sem.acquire()[Symbol.iterator]().next();
  assert.ok(sem.locked());
  sem.release();
  assert.equal(sem.locked(), false);
});

Deno.test("Semaphore(0) is locked until released; release() beyond the start is allowed", () => {
  const sem = new Semaphore(0);
  assert.ok(sem.locked());
  sem.release();
  sem.release();
  assert.equal(String(sem), "<Semaphore [unlocked, value:2]>");
});

Deno.test("BoundedSemaphore.release() beyond the initial value is a clear error and changes nothing", async () => {
  await run(function* () {
    const sem = new BoundedSemaphore(2);
    yield* sem.acquire();
    sem.release();
    assert.throws(
      () => sem.release(),
      (err: unknown) =>
        err instanceof RangeError &&
        /^Cannot release the semaphore: it would exceed its initial value 2/
          .test(err.message),
    );
    // Still exactly two slots.
    yield* sem.acquire();
    yield* sem.acquire();
    assert.ok(sem.locked());
  }, virtual);
});

for (const form of FORMS) {
  Deno.test(`Semaphore limits concurrency to its value (${form})`, async () => {
    let active = 0, peak = 0;
    await run(function* () {
      const sem = new Semaphore(3);
      const job = form === "generator"
        ? function* () {
          using _slot = yield* sem.hold();
          peak = Math.max(peak, ++active);
          yield* sleep(0.1);
          active--;
        }
        : async () => {
          using _slot = await sem.hold();
          peak = Math.max(peak, ++active);
          await sleep(0.1);
          active--;
        };
      yield* gather(...Array.from({ length: 10 }, () => createTask(job)));
      assert.equal(sem.locked(), false);
    }, virtual);
    assert.equal(peak, 3);
  });

  Deno.test(`Semaphore serves waiters in FIFO order under 100 contending tasks (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      const tasks: Task<void>[] = [];
      for (let i = 0; i < 100; i++) {
        tasks.push(taker(form, sem, log, String(i)));
        yield* sleep(0);
        yield* sleep(0);
      }
      sem.release();
      yield* gather(...tasks);
    }, virtual);
    assert.deepEqual(log, [...Array(100).keys()].map(String));
  });

  Deno.test(`Semaphore gives a released slot to the oldest waiter, not to a newcomer (${form})`, async () => {
    const log: string[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      const a = taker(form, sem, log, "a");
      yield* sleep(1);
      sem.release();
      assert.ok(sem.locked()); // the slot is a's
      const b = taker(form, sem, log, "b");
      yield* gather(a, b);
    }, virtual);
    assert.deepEqual(log, ["a", "b"]);
  });

  Deno.test(`Semaphore passes a slot on when its ${form} waiter is cancelled as it wakes`, async () => {
    const log: string[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      const a = taker(form, sem, log, "a");
      const b = taker(form, sem, log, "b");
      yield* sleep(1);
      sem.release();
      a.cancel(); // same iteration as the wake-up
      yield* gather([a, b], { returnExceptions: true });
      assert.ok(a.cancelled());
      assert.equal(sem.locked(), false);
    }, virtual);
    assert.deepEqual(log, ["b"]);
  });

  Deno.test(`BoundedSemaphore keeps its bound when a ${form} waiter is cancelled as it wakes`, async () => {
    await run(function* () {
      const sem = new BoundedSemaphore(1);
      yield* sem.acquire();
      const a = taker(form, sem, [], "a");
      yield* sleep(1);
      sem.release();
      a.cancel();
      yield* gather([a], { returnExceptions: true });
      assert.equal(sem.locked(), false);
      assert.throws(() => sem.release(), RangeError);
    }, virtual);
  });

  Deno.test(`Semaphore does not pile up ${form} waiters that were cancelled`, async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      for (let i = 0; i < 1000; i++) {
        const t = taker(form, sem, [], "x");
        yield* sleep(0);
        t.cancel();
        yield* sleep(0);
      }
      const waiters = _heldWaiters(sem);
      assert.ok(waiters <= 64, `${waiters} cancelled waiters kept`);
      assert.equal(sem.locked(), true);
      sem.release();
      assert.equal(sem.locked(), false);
    }, virtual);
  });
}

Deno.test("Semaphore.acquire() as a task cancelled before its first step takes no slot", async () => {
  await run(function* () {
    const sem = new Semaphore(1);
    const t = createTask(sem.acquire());
    t.cancel();
    yield* gather([t], { returnExceptions: true });
    assert.equal(sem.locked(), false);
    yield* sem.acquire();
    const u = createTask(sem.acquire());
    u.cancel();
    yield* gather([u], { returnExceptions: true });
    sem.release();
    assert.equal(sem.locked(), false); // the slot was not given to u
  }, virtual);
});

/**
 * A task running `before`, then taking a slot of `sem`, then `after`, in
 * `form`.
 */
function around(
  form: Form,
  sem: Semaphore,
  before: () => void,
  after: () => void,
): Task<void> {
  return form === "generator"
    ? createTask(function* () {
      before();
      yield* sem.acquire();
      after();
    })
    : createTask(async () => {
      before();
      await sem.acquire();
      after();
    });
}

for (const form of FORMS) {
  Deno.test(`Semaphore wakes in FIFO order after a release-acquire (${form}, test_acquire_fifo_order_2)`, async () => {
    const result: number[] = [];
    await run(function* () {
      const sem = new Semaphore(1);
      const t1 = around(form, sem, () => {}, () => result.push(1));
      const t2 = around(form, sem, () => {}, () => {
        result.push(2);
        sem.release();
      });
      const t3 = around(form, sem, () => {}, () => result.push(3));
      yield* sleep(0);
      sem.release();
      sem.release();
      yield* gather(t1, t2, t3);
      // t2 released, then acquired again: behind t3, which was woken first.
      const t2again = around(form, sem, () => {}, () => result.push(4));
      yield* t2again;
    }, virtual);
    assert.deepEqual(result, [1, 2, 3, 4]);
  });

  Deno.test(`Semaphore: one acquire wakes every waiter the free slots allow (${form}, test_acquire_fifo_order_4)`, async () => {
    const result: number[] = [];
    await run(function* () {
      const sem = new Semaphore(0);
      let t4: Task<void> | null = null;
      const t1 = around(form, sem, () => {}, () => {
        assert.equal(sem.locked(), true); // every slot went to a waiter
        t4 = around(form, new Semaphore(1), () => {}, () => result.push(4));
        result.push(1);
      });
      // An async function's await reaches the semaphore in a microtask,
      // after the other tasks of this iteration: let t1 queue up first.
      if (form === "async") yield* sleep(0);
      const t2 = around(form, sem, () => {
        sem.release();
        sem.release();
        sem.release();
        assert.ok(sem.locked()); // t1 has not woken up yet
      }, () => result.push(2));
      const t3 = around(form, sem, () => {}, () => {
        assert.ok(sem.locked());
        result.push(3);
      });
      yield* sleep(0);
      yield* sleep(0);
      yield* gather(t1, t2, t3);
      yield* t4!;
    }, virtual);
    assert.deepEqual(result, [1, 2, 3, 4]);
  });
}

Deno.test("Semaphore toString() is asyncio's repr", () => {
  assert.equal(String(new Semaphore(0)), "<Semaphore [locked]>");
  assert.equal(String(new Semaphore(2)), "<Semaphore [unlocked, value:2]>");
});
