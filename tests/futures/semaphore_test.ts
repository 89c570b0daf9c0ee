import assert from "node:assert/strict";
import {
  BoundedSemaphore,
  createTask,
  gather,
  run,
  Semaphore,
  sleep,
} from "../../mod.ts";

Deno.test("Semaphore rejects a negative or fractional initial value", () => {
  assert.throws(() => new Semaphore(-1), RangeError);
  assert.throws(() => new Semaphore(1.5), RangeError);
});

Deno.test("Semaphore.acquire() waits at zero and release() wakes FIFO", async () => {
  const order: number[] = [];
  await run(function* () {
    const sem = new Semaphore(1);
    yield* sem.acquire();
    assert.ok(sem.locked());
    const ts = [0, 1, 2].map((i) =>
      createTask(async () => {
        await sem.acquire();
        order.push(i);
        sem.release();
      })
    );
    yield* sleep(0);
    yield* sleep(0);
    sem.release();
    yield* gather(...ts);
    assert.equal(sem.locked(), false);
  }, { clock: "virtual" });
  assert.deepEqual(order, [0, 1, 2]);
});

Deno.test("Semaphore passes a slot on when its waiter is cancelled as it wakes", async () => {
  await run(function* () {
    const sem = new Semaphore(0);
    const a = createTask(function* () {
      yield* sem.acquire();
    });
    const b = createTask(function* () {
      yield* sem.acquire();
      return "b";
    });
    yield* sleep(0);
    sem.release();
    a.cancel();
    const [ra, rb] = yield* gather([a, b], { returnExceptions: true });
    assert.ok(a.cancelled());
    assert.ok(ra instanceof Error);
    assert.equal(rb, "b");
  }, { clock: "virtual" });
});

Deno.test("BoundedSemaphore.release() beyond the initial value is a clear error", async () => {
  await run(function* () {
    const sem = new BoundedSemaphore(2);
    yield* sem.acquire();
    sem.release();
    assert.throws(() => sem.release(), RangeError);
    // Nothing changed: still two slots.
    yield* sem.acquire();
    yield* sem.acquire();
    assert.ok(sem.locked());
  }, { clock: "virtual" });
});

Deno.test("Semaphore.hold() gives the slot back on dispose", async () => {
  await run(async () => {
    const sem = new Semaphore(1);
    {
      using _slot = await sem.hold();
      assert.ok(sem.locked());
    }
    assert.equal(sem.locked(), false);
  }, { clock: "virtual" });
});
