import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  gather,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  run,
  sleep,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("Queue returns items in FIFO order", async () => {
  await run(function* () {
    const q = new Queue<number>();
    for (let i = 0; i < 5; i++) yield* q.put(i);
    const out = [];
    for (let i = 0; i < 5; i++) out.push(yield* q.get());
    assert.deepEqual(out, [0, 1, 2, 3, 4]);
  }, virtual);
});

Deno.test("Queue reports size, empty and full", () => {
  const q = new Queue<string>(2);
  assert.equal(q.maxsize, 2);
  assert.ok(q.empty());
  q.putNowait("a");
  q.putNowait("b");
  assert.equal(q.qsize(), 2);
  assert.ok(q.full());
  assert.equal(new Queue().full(), false);
});

Deno.test("Queue.getNowait() on an empty queue throws QueueEmpty", () => {
  assert.throws(() => new Queue().getNowait(), QueueEmpty);
});

Deno.test("Queue.putNowait() on a full queue throws QueueFull and keeps the items", () => {
  const q = new Queue<number>(1);
  q.putNowait(1);
  assert.throws(() => q.putNowait(2), QueueFull);
  assert.equal(q.qsize(), 1);
  assert.equal(q.getNowait(), 1);
});

Deno.test("Queue rejects a maxsize that is not an integer", () => {
  assert.throws(() => new Queue(1.5), TypeError);
});

for (const form of ["generator", "async"] as const) {
  Deno.test(`Queue.put() in a ${form} task waits while full`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      yield* q.put(1);
      const t = createTask(
        form === "generator"
          ? function* () {
            yield* q.put(2);
          }
          : async () => {
            await q.put(2);
          },
      );
      yield* sleep(1);
      assert.equal(t.done(), false);
      assert.equal(yield* q.get(), 1);
      yield* t;
      assert.equal(yield* q.get(), 2);
    }, virtual);
  });

  Deno.test(`Queue.get() cancelled in a ${form} task after an item was handed over loses nothing`, async () => {
    await run(function* () {
      const q = new Queue<string>();
      const getter = createTask(
        form === "generator"
          ? function* () {
            return yield* q.get();
          }
          : async () => await q.get(),
      );
      yield* sleep(0);
      yield* sleep(0);
      // Same iteration: the item is handed to the getter, then it is cancelled.
      q.putNowait("precious");
      getter.cancel();
      try {
        yield* getter;
      } catch (err) {
        assert.ok(err instanceof CancelledError);
      }
      assert.equal(q.qsize(), 1);
      assert.equal(q.getNowait(), "precious");
    }, virtual);
  });

  Deno.test(`Queue.put() cancelled in a ${form} task while waiting inserts nothing`, async () => {
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const putter = createTask(
        form === "generator"
          ? function* () {
            yield* q.put("never");
          }
          : async () => {
            await q.put("never");
          },
      );
      yield* sleep(0);
      yield* sleep(0);
      putter.cancel();
      try {
        yield* putter;
      } catch (err) {
        assert.ok(err instanceof CancelledError);
      }
      assert.equal(q.getNowait(), "first");
      assert.equal(q.qsize(), 0);
    }, virtual);
  });
}

Deno.test("Queue.put() cancelled just after it was woken gives its slot to the next putter", async () => {
  await run(function* () {
    const q = new Queue<string>(1);
    q.putNowait("a");
    const p1 = createTask(function* () {
      yield* q.put("p1");
    });
    const p2 = createTask(function* () {
      yield* q.put("p2");
    });
    yield* sleep(0);
    assert.equal(q.getNowait(), "a"); // wakes p1
    p1.cancel();
    yield* gather([p1, p2], { returnExceptions: true });
    assert.equal(q.getNowait(), "p2");
    assert.ok(q.empty());
  }, virtual);
});

Deno.test("Queue serves getters in FIFO order under 100 contending tasks", async () => {
  await run(function* () {
    const q = new Queue<number>();
    const got: Array<[number, number]> = [];
    const tasks = [];
    for (let i = 0; i < 100; i++) {
      tasks.push(createTask(async () => {
        got.push([i, await q.get()]);
      }));
    }
    yield* sleep(0);
    yield* sleep(0);
    for (let i = 0; i < 100; i++) q.putNowait(i);
    yield* gather(...tasks);
    assert.ok(got.every(([task, item]) => task === item));
  }, virtual);
});

Deno.test("Queue.join() waits until taskDone() was called for every item", async () => {
  await run(function* () {
    const q = new Queue<number>();
    for (let i = 0; i < 3; i++) q.putNowait(i);
    const joined = createTask(function* () {
      yield* q.join();
      return "joined";
    });
    for (let i = 0; i < 3; i++) {
      q.getNowait();
      yield* sleep(0);
      assert.equal(joined.done(), false);
      q.taskDone();
    }
    assert.equal(yield* joined, "joined");
  }, virtual);
});

Deno.test("Queue.taskDone() called too often is a clear error", () => {
  const q = new Queue<number>();
  q.putNowait(1);
  q.taskDone();
  assert.throws(() => q.taskDone(), RangeError);
});

Deno.test("Queue.shutdown() fails puts and waiting getters, but lets the rest drain", async () => {
  await run(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    q.shutdown();
    assert.throws(() => q.putNowait(2), QueueShutDown);
    const put = q.put(2); // fails where awaited, as a coroutine would
    assert.throws(() => [...put], QueueShutDown);
    assert.equal(yield* q.get(), 1);
    assert.throws(() => [...q.get()], QueueShutDown);
    const q2 = new Queue<number>();
    const getter = createTask(function* () {
      return yield* q2.get();
    });
    yield* sleep(0);
    q2.shutdown();
    const [r] = yield* gather([getter], { returnExceptions: true });
    assert.ok(r instanceof QueueShutDown);
  }, virtual);
});

Deno.test("Queue.shutdown(true) drops the items and releases join()", async () => {
  await run(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    const joined = createTask(function* () {
      yield* q.join();
    });
    yield* sleep(0);
    q.shutdown(true);
    assert.equal(q.qsize(), 0);
    yield* joined;
  }, virtual);
});

Deno.test("Queue async iteration stops at shutdown", async () => {
  const got = await run(async () => {
    const q = new Queue<number>();
    createTask(async () => {
      for (let i = 0; i < 3; i++) await q.put(i);
      q.shutdown();
    });
    const out: number[] = [];
    for await (const x of q) out.push(x);
    return out;
  }, virtual);
  assert.deepEqual(got, [0, 1, 2]);
});
