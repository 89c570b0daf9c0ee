import assert from "node:assert/strict";
import { _heldWaiters } from "../../futures/_wait.ts";
import {
  CancelledError,
  type Coro,
  createTask,
  Future,
  gather,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  run,
  sleep,
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import {
  awaitIn,
  failure,
  type Form,
  FORMS,
  settleIn,
  virtual,
} from "./_forms.ts";

/** A task that puts `item` in form `form`. */
const putIn = <T>(form: Form, q: Queue<T>, item: T) =>
  awaitIn(form, () => q.put(item));
/** A task that gets one item in form `form`. */
const getIn = <T>(form: Form, q: Queue<T>) => awaitIn(form, () => q.get());

Deno.test("Queue reports maxsize, size, empty and full", () => {
  const q = new Queue<string>(2);
  assert.equal(q.maxsize, 2);
  assert.ok(q.empty());
  assert.equal(q.full(), false);
  q.putNowait("a");
  q.putNowait("b");
  assert.equal(q.qsize(), 2);
  assert.ok(q.full());
});

Deno.test("Queue with maxsize <= 0 is unbounded", () => {
  for (const maxsize of [0, -1]) {
    const q = new Queue<number>(maxsize);
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    assert.equal(q.full(), false);
    assert.equal(q.qsize(), 1000);
  }
});

Deno.test("Queue rejects a maxsize that is not a number", () => {
  for (const bad of [NaN, "2", null]) {
    assert.throws(
      () => new Queue(bad as number),
      (err: unknown) =>
        err instanceof TypeError &&
        /^Cannot create a queue: maxsize must be a number/.test(err.message),
    );
  }
});

Deno.test("Queue with a float maxsize holds as many as asyncio's (test_float_maxsize)", async () => {
  const q = new Queue<number>(1.3);
  q.putNowait(1);
  q.putNowait(2);
  assert.ok(q.full());
  assert.throws(() => q.putNowait(3), QueueFull);
  await run(function* () {
    const r = new Queue<number>(1.3);
    yield* r.put(1);
    yield* r.put(2);
    assert.ok(r.full());
  });
  assert.equal(new Queue(Infinity).full(), false);
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
  assert.ok(q.empty());
});

Deno.test("Queue.put() with room and get() of a present item need no Future and no running loop", () => {
  const q = new Queue<number>(1);
  const put = q.put(7);
  assert.ok(!(put instanceof Future) && !(put instanceof Promise));
  assert.equal(q.qsize(), 1);
  const get = q.get();
  assert.ok(!(get instanceof Future) && !(get instanceof Promise));
  assert.deepEqual([...get], []); // yield* returns at once
  assert.ok(q.empty());
});

Deno.test("Queue.taskDone() called too often is a clear error and changes nothing", async () => {
  await run(function* () {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.taskDone();
    q.taskDone();
    assert.throws(
      () => q.taskDone(),
      (err: unknown) =>
        err instanceof RangeError &&
        /^Cannot mark a task done/.test(err.message),
    );
    yield* q.join(); // still nothing unfinished
  }, virtual);
});

Deno.test("Queue.join() returns at once when nothing is unfinished", () => {
  const q = new Queue<number>();
  assert.deepEqual([...q.join()], []);
});

for (const form of FORMS) {
  Deno.test(`Queue returns items in FIFO order (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 5; i++) yield* putIn(form, q, i);
      const out = [];
      for (let i = 0; i < 5; i++) out.push(yield* getIn(form, q));
      assert.deepEqual(out, [0, 1, 2, 3, 4]);
    }, virtual);
  });

  Deno.test(`Queue.put() waits while the queue is full (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const t = putIn(form, q, 2);
      yield* sleep(10);
      assert.equal(t.done(), false);
      assert.equal(q.qsize(), 1);
      assert.equal(q.getNowait(), 1);
      yield* t;
      assert.equal(q.getNowait(), 2);
    }, virtual);
  });

  Deno.test(`Queue.get() waits while the queue is empty (${form})`, async () => {
    await run(function* () {
      const q = new Queue<string>();
      const t = getIn(form, q);
      yield* sleep(10);
      assert.equal(t.done(), false);
      q.putNowait("x");
      assert.equal(yield* t, "x");
      assert.ok(q.empty());
    }, virtual);
  });

  Deno.test(`Queue.get() cancelled after an item was handed to it loses nothing (${form})`, async () => {
    await run(function* () {
      const q = new Queue<string>();
      q.putNowait("older");
      q.getNowait();
      const getter = getIn(form, q);
      yield* sleep(1);
      // Same iteration: the item is handed to the getter, then it is cancelled.
      q.putNowait("precious");
      q.putNowait("next");
      getter.cancel();
      yield* gather([getter], { returnExceptions: true });
      assert.ok(getter.cancelled());
      assert.equal(q.getNowait(), "precious"); // back at the front
      assert.equal(q.getNowait(), "next");
    }, virtual);
  });

  Deno.test(`Queue.get() cancelled after an item was handed to it passes it to the next getter (${form})`, async () => {
    await run(function* () {
      const q = new Queue<string>();
      const a = getIn(form, q);
      const b = getIn(form, q);
      yield* sleep(1);
      q.putNowait("precious");
      a.cancel();
      assert.equal(yield* b, "precious");
      yield* gather([a], { returnExceptions: true });
      assert.ok(a.cancelled());
      assert.ok(q.empty());
    }, virtual);
  });

  Deno.test(`Queue.put() cancelled while waiting inserts nothing (${form})`, async () => {
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("first");
      const putter = putIn(form, q, "never");
      yield* sleep(1);
      putter.cancel();
      yield* gather([putter], { returnExceptions: true });
      assert.ok(putter.cancelled());
      assert.equal(q.getNowait(), "first");
      yield* sleep(1);
      assert.ok(q.empty());
    }, virtual);
  });

  Deno.test(`Queue.put() cancelled just after it was woken gives its slot to the next putter (${form})`, async () => {
    await run(function* () {
      const q = new Queue<string>(1);
      q.putNowait("a");
      const p1 = putIn(form, q, "p1");
      const p2 = putIn(form, q, "p2");
      yield* sleep(1);
      assert.equal(q.getNowait(), "a"); // wakes p1
      p1.cancel(); // same iteration
      yield* gather([p1, p2], { returnExceptions: true });
      assert.ok(p1.cancelled());
      assert.equal(q.getNowait(), "p2");
      assert.ok(q.empty());
    }, virtual);
  });

  Deno.test(`Queue serves getters in FIFO order under 100 contending tasks (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      const tasks = [];
      for (let i = 0; i < 100; i++) {
        tasks.push(getIn(form, q));
        yield* sleep(0); // each queues up before the next is created
        yield* sleep(0);
      }
      for (let i = 0; i < 100; i++) q.putNowait(i);
      assert.deepEqual(yield* gather(...tasks), [...Array(100).keys()]);
    }, virtual);
  });

  Deno.test(`Queue serves putters in FIFO order under 100 contending tasks (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      q.putNowait(-1);
      const tasks = [];
      for (let i = 0; i < 100; i++) {
        tasks.push(putIn(form, q, i));
        yield* sleep(0);
        yield* sleep(0);
      }
      const out = [];
      for (let i = 0; i <= 100; i++) out.push(yield* q.get());
      yield* gather(...tasks);
      assert.deepEqual(out, [-1, ...Array(100).keys()]);
    }, virtual);
  });

  Deno.test(`Queue.join() waits until taskDone() was called for every item (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 3; i++) q.putNowait(i);
      const joined = awaitIn(form, () => q.join());
      for (let i = 0; i < 3; i++) {
        q.getNowait();
        yield* sleep(1);
        assert.equal(joined.done(), false);
        q.taskDone();
      }
      yield* joined;
    }, virtual);
  });

  Deno.test(`Queue.join() with workers calling taskDone() (${form})`, async () => {
    const done: number[] = [];
    await run(function* () {
      const q = new Queue<number>(2);
      const worker = form === "generator"
        ? function* () {
          for (;;) {
            const item = yield* q.get();
            yield* sleep(0.1);
            done.push(item);
            q.taskDone();
          }
        }
        : async () => {
          for (;;) {
            const item = await q.get();
            await sleep(0.1);
            done.push(item);
            q.taskDone();
          }
        };
      const workers = [createTask(worker), createTask(worker)];
      for (let i = 0; i < 10; i++) yield* q.put(i);
      yield* awaitIn(form, () => q.join());
      assert.equal(done.length, 10);
      workers.forEach((w) => w.cancel());
      yield* gather(workers, { returnExceptions: true });
    }, virtual);
    assert.deepEqual(done.sort((a, b) => a - b), [...Array(10).keys()]);
  });

  Deno.test(`Queue.put() on a shut-down queue raises QueueShutDown where awaited (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      q.shutdown();
      assert.throws(() => q.putNowait(1), QueueShutDown);
      const put = q.put(1); // no throw at the call
      const r = yield* settleIn(form, () => put);
      assert.ok(failure(r) instanceof QueueShutDown);
      assert.ok(q.empty());
    }, virtual);
  });

  Deno.test(`Queue.shutdown() lets the items drain, then get() raises QueueShutDown (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      q.shutdown();
      assert.equal(yield* getIn(form, q), 1);
      assert.equal(q.getNowait(), 2);
      assert.throws(() => q.getNowait(), QueueShutDown);
      const r = yield* settleIn(form, () => q.get());
      assert.ok(failure(r) instanceof QueueShutDown);
    }, virtual);
  });

  Deno.test(`Queue.shutdown() fails waiting getters and putters (${form})`, async () => {
    await run(function* () {
      const empty = new Queue<number>();
      const getter = settleIn(form, () => empty.get());
      const full = new Queue<number>(1);
      full.putNowait(1);
      const putter = settleIn(form, () => full.put(2));
      yield* sleep(1);
      empty.shutdown();
      full.shutdown();
      assert.ok(failure(yield* getter) instanceof QueueShutDown);
      assert.ok(failure(yield* putter) instanceof QueueShutDown);
      assert.equal(full.qsize(), 1); // the waiting item was not inserted
    }, virtual);
  });

  Deno.test(`Queue.put() woken for a slot, then shut down before it resumes, raises QueueShutDown (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const putter = settleIn(form, () => q.put(2));
      yield* sleep(1);
      q.getNowait(); // wakes the putter
      q.shutdown(); // same iteration
      assert.ok(failure(yield* putter) instanceof QueueShutDown);
      assert.ok(q.empty());
    }, virtual);
  });

  Deno.test(`Queue.shutdown(true) drops the items, releases join() and fails getters (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      const joined = awaitIn(form, () => q.join());
      const q2 = new Queue<number>();
      const getter = settleIn(form, () => q2.get());
      yield* sleep(1);
      q.shutdown(true);
      q2.shutdown(true);
      assert.equal(q.qsize(), 0);
      yield* joined;
      assert.ok(failure(yield* getter) instanceof QueueShutDown);
      assert.throws(() => q.getNowait(), QueueShutDown);
    }, virtual);
  });

  Deno.test(`Queue does not pile up ${form} getters that time out`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 1000; i++) {
        const r = yield* settleIn(form, () => waitFor(q.get(), 0.01));
        assert.ok(failure(r) instanceof TimeoutError);
      }
      const getters = _heldWaiters(q);
      assert.ok(getters <= 64, `${getters} timed-out getters kept`);
      q.putNowait(1);
      assert.equal(q.qsize(), 1); // no dead getter took it
    }, virtual);
  });
}

Deno.test("Queue counts an item handed to a waiting getter against maxsize until it resumes", async () => {
  await run(function* () {
    const q = new Queue<string>(1);
    const getter = getIn("generator", q);
    yield* sleep(1);
    q.putNowait("x"); // handed to the getter
    assert.ok(q.full());
    assert.throws(() => q.putNowait("y"), QueueFull);
    assert.equal(yield* getter, "x");
    assert.equal(q.full(), false);
  }, virtual);
});

Deno.test("Queue wakes the next putter when a woken putter's item goes straight to a getter", async () => {
  await run(function* () {
    const q = new Queue<number>(1);
    q.putNowait(0);
    const putters = [1, 2, 3].map((i) => putIn("generator", q, i));
    yield* sleep(1);
    const out = [];
    for (let i = 0; i < 4; i++) out.push(yield* q.get()); // no deadlock
    yield* gather(...putters);
    assert.deepEqual(out, [0, 1, 2, 3]);
  }, virtual);
});

Deno.test("Queue async iteration yields items until shutdown and drained", async () => {
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

Deno.test("Queue async iteration can be cancelled without losing an item", async () => {
  await run(function* () {
    const q = new Queue<number>();
    const seen: number[] = [];
    const consumer = createTask(async () => {
      for await (const x of q) seen.push(x);
    });
    yield* sleep(1);
    q.putNowait(1);
    yield* sleep(1);
    q.putNowait(2);
    consumer.cancel(); // as item 2 is handed over
    yield* gather([consumer], { returnExceptions: true });
    assert.ok(consumer.cancelled());
    assert.deepEqual(seen, [1]);
    assert.equal(q.getNowait(), 2);
  }, virtual);
});

Deno.test("Queue.get() in a cancelled task raises CancelledError", async () => {
  await run(function* () {
    const q = new Queue<number>();
    const t = getIn("generator", q);
    yield* sleep(0);
    t.cancel();
    yield* gather([t], { returnExceptions: true });
    assert.throws(() => t.result(), CancelledError);
  }, virtual);
});

// Dead waiters (issue 10, bug 1): a get whose task never ran takes nothing.
for (const form of FORMS) {
  Deno.test(`Queue.get() under waitFor(…, 0) in a ${form} task loses no item`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      const r = yield* settleIn(form, () => waitFor(q.get(), 0));
      assert.ok(failure(r) instanceof TimeoutError);
      q.putNowait(1);
      assert.equal(q.qsize(), 1); // no dead getter took it
      assert.equal(q.getNowait(), 1);
    }, virtual);
  });

  Deno.test(`Queue.get() under waitFor(…, 0) with an item present leaves it (${form})`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      q.putNowait(7);
      const r = yield* settleIn(form, () => waitFor(q.get(), 0));
      // asyncio: the getter task is cancelled before it runs.
      assert.ok(failure(r) instanceof TimeoutError);
      assert.equal(q.getNowait(), 7);
    }, virtual);
  });
}

Deno.test("Queue.get() as a task cancelled before its first step takes nothing", async () => {
  await run(function* () {
    const q = new Queue<number>();
    const t = createTask(q.get());
    t.cancel();
    yield* gather([t], { returnExceptions: true });
    assert.ok(t.cancelled());
    q.putNowait(1);
    assert.equal(q.getNowait(), 1);
    q.putNowait(2);
    const t2 = createTask(q.get());
    t2.cancel(); // an item present: still untouched
    yield* gather([t2], { returnExceptions: true });
    assert.equal(q.getNowait(), 2);
  }, virtual);
});

Deno.test("Queue does not keep getters of 30,000 zero timeouts", async () => {
  await run(function* () {
    const q = new Queue<number>();
    for (let i = 0; i < 30_000; i++) {
      try {
        yield* waitFor(q.get(), 0);
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
      }
    }
    assert.ok(_heldWaiters(q) <= 64, `${_heldWaiters(q)} getters kept`);
    q.putNowait(1);
    assert.equal(q.getNowait(), 1);
  }, virtual);
});

Deno.test("Queue.put() on a full queue as a task cancelled before its first step holds no slot", async () => {
  await run(function* () {
    const q = new Queue<number>(1);
    q.putNowait(1);
    const t = createTask(q.put(2));
    t.cancel();
    yield* gather([t], { returnExceptions: true });
    assert.equal(q.getNowait(), 1);
    assert.equal(q.full(), false); // no slot reserved for the dead putter
    q.putNowait(3);
    assert.equal(q.getNowait(), 3);
    assert.equal(q.qsize(), 0);
  }, virtual);
});

// Ported from CPython's test_queues (QueueGetTests, QueuePutTests), both forms.
// An async task settles one microtask turn after its await resolves: where
// CPython waits one iteration (sleep(0)), the async form waits two.
for (const form of FORMS) {
  const turn = function* (): Coro<void> {
    yield* sleep(0);
    if (form === "async") yield* sleep(0);
  };
  Deno.test(`Queue: a cancelled getter does not take the next item (${form}, test_get_cancelled_race)`, async () => {
    await run(function* () {
      const q = new Queue<string>();
      const t1 = getIn(form, q);
      const t2 = getIn(form, q);
      yield* sleep(0);
      t1.cancel();
      yield* sleep(0);
      assert.ok(t1.done());
      yield* q.put("a");
      yield* sleep(0);
      assert.equal(yield* t2, "a");
    }, virtual);
  });

  Deno.test(`Queue.get() with waiting putters (${form}, test_get_with_waiting_putters)`, async () => {
    await run(function* () {
      const q = new Queue<string>(1);
      putIn(form, q, "a");
      putIn(form, q, "b");
      assert.equal(yield* getIn(form, q), "a");
      assert.equal(yield* getIn(form, q), "b");
    }, virtual);
  });

  Deno.test(`Queue: a reader cancelled with items waiting drops none (${form}, test_get_cancel_drop_one_pending_reader)`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      let reader = getIn(form, q);
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      reader.cancel();
      const r = yield* settleIn("generator", () => reader);
      if (!r.ok) {
        reader = getIn(form, q);
        yield* reader;
      }
      assert.equal(reader.result(), 1); // 2 would mean 1 was dropped
    }, virtual);
  });

  Deno.test(`Queue: one of many readers cancelled drops no item (${form}, test_get_cancel_drop_many_pending_readers)`, async () => {
    await run(function* () {
      const q = new Queue<number>();
      const r1 = getIn(form, q);
      const r2 = getIn(form, q);
      const r3 = getIn(form, q);
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      r1.cancel();
      yield* gather([r1, r2, r3], { returnExceptions: true });
      assert.ok(r1.cancelled());
      assert.deepEqual(new Set([r2.result(), r3.result()]), new Set([1, 2]));
    }, virtual);
  });

  Deno.test(`Queue: a writer cancelled after its wake-up puts nothing twice (${form}, test_put_cancel_drop)`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      let writer = putIn(form, q, 2);
      yield* sleep(0);
      assert.equal(q.getNowait(), 1);
      writer.cancel();
      const r = yield* settleIn("generator", () => writer);
      if (!r.ok) {
        writer = putIn(form, q, 2);
        yield* writer;
      }
      assert.equal(q.getNowait(), 2);
      assert.equal(q.qsize(), 0);
    }, virtual);
  });

  Deno.test(`Queue: a cancelled putter lets the next one in (${form}, test_put_cancelled_race)`, async () => {
    await run(function* () {
      const q = new Queue<string>(1);
      const putA = putIn(form, q, "a");
      const putB = putIn(form, q, "b");
      const putC = putIn(form, q, "X");
      yield* turn();
      assert.ok(putA.done());
      assert.equal(putB.done(), false);
      putC.cancel();
      yield* turn();
      assert.ok(putC.done());
      assert.equal(q.getNowait(), "a");
      yield* turn();
      assert.equal(q.getNowait(), "b");
      yield* putB;
    }, virtual);
  });

  Deno.test(`Queue: putters are woken as room appears (${form}, test_why_are_putters_waiting)`, async () => {
    await run(function* () {
      const q = new Queue<number>(2);
      const getter = createTask(function* () {
        yield* sleep(0);
        const n = q.qsize();
        for (let i = 0; i < n; i++) q.getNowait();
      });
      const putters = [0, 1, 2, 3].map((i) => putIn(form, q, i));
      yield* gather(getter, ...putters);
      assert.equal(q.qsize(), 2);
    }, virtual);
  });

  Deno.test(`Queue: a putter cancelled while waiting is not kept (${form}, test_cancelled_puts_not_being_held_in_self_putters)`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const t = putIn(form, q, 1);
      yield* turn();
      assert.equal(_heldWaiters(q), 1);
      t.cancel();
      const r = yield* settleIn("generator", () => t);
      assert.ok(failure(r) instanceof CancelledError);
      assert.ok(_heldWaiters(q) <= 1);
      assert.match(String(q), /^<Queue maxsize=1 qsize=1 tasks=1>$/);
    }, virtual);
  });

  Deno.test(`Queue: a putter cancelled after getNowait() freed its slot raises CancelledError (${form}, test_cancelled_put_silence_value_error_exception)`, async () => {
    await run(function* () {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const t = putIn(form, q, 1);
      yield* sleep(0);
      q.getNowait();
      t.cancel();
      const r = yield* settleIn("generator", () => t);
      assert.ok(failure(r) instanceof CancelledError);
      assert.equal(q.qsize(), 0); // its item was not put
      assert.equal(q.full(), false);
    }, virtual);
  });
}

Deno.test("Queue repr says shutdown (test_shutdown_repr)", () => {
  const q = new Queue(4);
  assert.doesNotMatch(String(q), /shutdown/);
  q.shutdown();
  assert.match(String(q), /shutdown/);
});
