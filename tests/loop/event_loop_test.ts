import assert from "node:assert/strict";
import {
  type Coro,
  createTask,
  type EventLoop,
  type ExceptionContext,
  fromPromise,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  type TimerHandle,
} from "../../mod.ts";
import { localServer } from "./_http_server.ts";
import { Worker } from "node:worker_threads";
import { scaffoldUrl } from "../poll/_helpers.ts";
import { close, pipe, read, write } from "../../poll/fd.ts";

const virtual = { clock: "virtual" } as const;

async function runBriefly(loop: EventLoop): Promise<void> {
  loop.callSoon(() => loop.stop());
  await loop.runForever();
}

Deno.test("callSoon() runs callbacks in FIFO order", async () => {
  using loop = newEventLoop();
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) loop.callSoon((n: number) => seen.push(n), i);
  await runBriefly(loop);
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
});

Deno.test("callSoon() from a callback runs in the next iteration", async () => {
  using loop = newEventLoop();
  const seen: string[] = [];
  loop.callSoon(() => {
    seen.push("a");
    loop.callSoon(() => seen.push("c"));
  });
  loop.callSoon(() => seen.push("b"));
  // stop() lands after the current iteration: only a and b run.
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.deepEqual(seen, ["a", "b"]);
  await runBriefly(loop);
  assert.deepEqual(seen, ["a", "b", "c"]);
});

Deno.test("callLater() fires timers in deadline order, ties in scheduling order", async () => {
  using loop = newEventLoop(virtual);
  const seen: string[] = [];
  loop.callLater(0.3, () => seen.push("c"));
  loop.callLater(0.1, () => seen.push("a1"));
  loop.callLater(0.1, () => seen.push("a2"));
  loop.callLater(0.2, () => seen.push("b"));
  loop.callLater(0.4, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(seen, ["a1", "a2", "b", "c"]);
});

Deno.test("callLater(0) from a timer runs in the next iteration, after callbacks ready then", async () => {
  using loop = newEventLoop(virtual);
  const seen: string[] = [];
  loop.callLater(1, () => {
    seen.push("A");
    loop.callLater(0, () => {
      seen.push("T2");
      loop.stop();
    });
    loop.callSoon(() => seen.push("X"));
  });
  await loop.runForever();
  assert.deepEqual(seen, ["A", "X", "T2"]);
});

Deno.test("callLater() with thousands pending fires ties in scheduling order, and timers set by them in the next iteration", async () => {
  using loop = newEventLoop(virtual);
  const seen: number[] = [];
  const want: [number, number][] = [];
  // Past 256 pending timers the queue buckets them: ties must still keep
  // the order they were set in, and a timer set by one of them, even one
  // due earlier, must wait for the next iteration, after all of them.
  for (let i = 0; i < 3000; i++) {
    const delay = ((i * 7919) % 5) / 1000;
    want.push([delay, i]);
    loop.callLater(delay, () => {
      seen.push(i);
      if (i === 0) loop.callAt(loop.time() - 1, () => seen.push(-1));
    });
  }
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  want.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const order = want.map(([, i]) => i);
  // Timer 0 has delay 0: all of delay 0 run in its iteration, then -1.
  const zeros = want.filter(([d]) => d === 0).length;
  order.splice(zeros, 0, -1);
  assert.deepEqual(seen, order);
});

Deno.test("TimerHandle.cancel() after the timer fired marks it cancelled and keeps when()", async () => {
  using loop = newEventLoop(virtual);
  const handles: TimerHandle[] = [];
  let ran = 0;
  for (let i = 0; i < 300; i++) handles.push(loop.callLater(1, () => ran++));
  const later = loop.callLater(2, () => ran++);
  loop.callLater(1.5, () => {
    // All 300 fired: cancelling them must not count as pending cancelled
    // timers (that would compact, or drop, the one still pending).
    for (const h of handles) h.cancel();
  });
  loop.callLater(3, () => loop.stop());
  await loop.runForever();
  assert.equal(ran, 301);
  assert.ok(handles.every((h) => h.cancelled() && h.when() === 1));
  assert.equal(later.cancelled(), false);
});

Deno.test("a ready callback can cancel a timer that is due in the same iteration", async () => {
  using loop = newEventLoop(virtual);
  let ran = false;
  const t = loop.callLater(1, () => ran = true);
  loop.callLater(1, () => loop.stop());
  loop.callAt(0.5, () => {
    // Jumps to t=1 next: cancel the due timer from a ready callback first.
    loop.callSoon(() => t.cancel());
  });
  await loop.runForever();
  assert.equal(ran, false);
});

Deno.test("callAt() fires at the given loop time on the virtual clock", async () => {
  using loop = newEventLoop(virtual);
  let firedAt = -1;
  const start = loop.time();
  loop.callAt(start + 5, () => {
    firedAt = loop.time();
    loop.stop();
  });
  await loop.runForever();
  assert.equal(firedAt, start + 5);
});

Deno.test("Handle.cancel() prevents the callback from running", async () => {
  using loop = newEventLoop(virtual);
  let ran = 0;
  loop.callSoon(() => ran++).cancel();
  const t = loop.callLater(1, () => ran++);
  t.cancel();
  assert.ok(t.cancelled());
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.equal(ran, 0);
});

Deno.test("callLater() many cancelled timers are compacted and never run", async () => {
  using loop = newEventLoop(virtual);
  let ran = 0;
  const handles = [];
  for (let i = 0; i < 1000; i++) {
    handles.push(loop.callLater(1 + i, () => ran++));
  }
  for (let i = 0; i < 900; i++) handles[i].cancel();
  loop.callLater(2000, () => loop.stop());
  await loop.runForever();
  assert.equal(ran, 100);
});

Deno.test("callLater() rejects a delay that is not a number", () => {
  using loop = newEventLoop();
  assert.throws(() => loop.callLater(NaN, () => {}), TypeError);
  assert.throws(() => loop.callLater("1" as never, () => {}), TypeError);
});

Deno.test("callLater() and callAt() pass their extra arguments, and none when given none", async () => {
  using loop = newEventLoop(virtual);
  const seen: unknown[][] = [];
  loop.callLater(1, (...a: unknown[]) => seen.push(a));
  loop.callLater(2, (...a: unknown[]) => seen.push(a), "x");
  loop.callAt(loop.time() + 3, (...a: unknown[]) => seen.push(a), 1, undefined);
  loop.callLater(4, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(seen, [[], ["x"], [1, undefined]]);
});

Deno.test("Handle.cancel() with and without arguments: nothing runs, the handle says cancelled", async () => {
  using loop = newEventLoop(virtual);
  const seen: unknown[] = [];
  const handles = [
    loop.callSoon(() => seen.push("none")),
    loop.callSoon((a: string) => seen.push(a), "one"),
    loop.callLater(1, () => seen.push("timer")),
    loop.callLater(1, (a: string, b: string) => seen.push(a + b), "t", "2"),
  ];
  for (const h of handles) {
    h.cancel();
    h.cancel(); // twice is harmless
  }
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(seen, []);
  assert.ok(handles.every((h) => h.cancelled()));
  assert.match(String(handles[1]), /cancelled/);
});

Deno.test("runForever() on a running loop is a clear error", async () => {
  using loop = newEventLoop();
  let err: unknown;
  loop.callSoon(() => {
    loop.runForever().catch((e) => err = e);
    loop.stop();
  });
  await loop.runForever();
  await Promise.resolve();
  assert.match(String(err), /already running/);
});

Deno.test("stop() before runForever() still runs one iteration, as asyncio", async () => {
  using loop = newEventLoop();
  const seen: string[] = [];
  loop.callSoon(() => seen.push("ready before"));
  loop.stop();
  await loop.runForever();
  assert.deepEqual(seen, ["ready before"]);
  assert.equal(loop.isRunning(), false);
});

Deno.test("a closed loop refuses to run or schedule", async () => {
  const loop = newEventLoop();
  loop.close();
  loop.close(); // idempotent
  assert.ok(loop.isClosed());
  await assert.rejects(loop.runForever(), /closed/);
  assert.throws(() => loop.callSoon(() => {}), /closed/);
});

Deno.test("close() on a running loop is a clear error", async () => {
  using loop = newEventLoop();
  let err: unknown;
  loop.callSoon(() => {
    try {
      loop.close();
    } catch (e) {
      err = e;
    }
    loop.stop();
  });
  await loop.runForever();
  assert.match(String(err), /running/);
});

Deno.test("a throwing callback goes to the exception handler and the loop keeps running", async () => {
  using loop = newEventLoop();
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
  let after = false;
  const boom = new Error("boom");
  loop.callSoon(function failing() {
    throw boom;
  });
  loop.callSoon(() => after = true);
  await runBriefly(loop);
  assert.equal(after, true);
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].exception, boom);
  assert.match(contexts[0].message, /failing/);
  assert.ok(contexts[0].handle);
});

Deno.test("setExceptionHandler(null) restores the default handler", () => {
  using loop = newEventLoop();
  loop.setExceptionHandler(() => {});
  loop.setExceptionHandler(null);
  assert.equal(loop.getExceptionHandler(), null);
  assert.throws(() => loop.setExceptionHandler(42 as never), TypeError);
});

Deno.test("a task whose exception is never retrieved is reported", async () => {
  using loop = newEventLoop();
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
  await loop.runUntilComplete(function* () {
    createTask(function* (): Coro<void> {
      throw new Error("lost");
    });
    yield* sleep(0);
  });
  // The report comes from garbage collection: the test task passes
  // --v8-flags=--expose-gc so it can be forced.
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, "run the tests with --v8-flags=--expose-gc");
  // The loop tracks failed tasks through WeakRefs (to report them at
  // close), and a WeakRef keeps its target for the job that made it: the
  // task is collectable from the next macrotask on.
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(contexts.some((c) => /never retrieved/.test(c.message)));
});

Deno.test("close() reports a task exception that was never retrieved (test_close_task_exception)", async () => {
  const loop = newEventLoop();
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
  let task: unknown;
  await loop.runUntilComplete(function* () {
    task = createTask(function* (): Coro<void> {
      throw new Error("lost");
    });
    yield* sleep(0);
  });
  assert.equal(contexts.length, 0);
  loop.close();
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Task exception was never retrieved");
  assert.equal(contexts[0].task, task);
  assert.match(String(contexts[0].exception), /lost/);
});

Deno.test("close() does not report a task exception that was retrieved", async () => {
  const loop = newEventLoop();
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
  await loop.runUntilComplete(function* () {
    const t = createTask(function* (): Coro<void> {
      throw new Error("seen");
    });
    yield* sleep(0);
    assert.match(String(t.exception()), /seen/);
  });
  loop.close();
  assert.equal(contexts.length, 0);
});

Deno.test("addReader() calls back when a pipe becomes readable", async () => {
  using loop = newEventLoop();
  const [r, w] = pipe();
  try {
    const got = await loop.runUntilComplete(function* () {
      const fut = loop.createFuture<string>();
      loop.addReader(r, () => {
        const buf = new Uint8Array(16);
        const n = read(r, buf);
        loop.removeReader(r);
        fut.setResult(new TextDecoder().decode(buf.subarray(0, n)));
      });
      loop.callLater(0.01, () => write(w, new TextEncoder().encode("hi")));
      return yield* fut;
    });
    assert.equal(got, "hi");
    assert.equal(loop.removeReader(r), false);
  } finally {
    close(r);
    close(w);
  }
});

Deno.test("addWriter() calls back when a pipe is writable", async () => {
  using loop = newEventLoop();
  const [r, w] = pipe();
  try {
    let calls = 0;
    await loop.runUntilComplete(function* () {
      const fut = loop.createFuture<void>();
      loop.addWriter(w, () => {
        calls++;
        loop.removeWriter(w);
        fut.setResult();
      });
      yield* fut;
    });
    assert.equal(calls, 1);
  } finally {
    close(r);
    close(w);
  }
});

Deno.test("addReader() rejects a negative fd and the wake-up fd", () => {
  using loop = newEventLoop();
  assert.throws(() => loop.addReader(-1, () => {}), RangeError);
  assert.throws(() => loop.addReader("3" as never, () => {}), TypeError);
});

Deno.test("callSoonThreadsafe() from a Worker's message wakes a waiting loop", async () => {
  const worker = new Worker(scaffoldUrl("./_ready_worker", import.meta.url));
  try {
    const got = await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      const delivered = new Promise<void>((resolve) => {
        worker.once("message", (m: string) => {
          loop.callSoonThreadsafe(() => fut.setResult(m));
          resolve();
        });
      });
      worker.postMessage("go");
      // The host promise keeps the loop waiting without blocking the thread.
      yield* fromPromise(delivered);
      return yield* fut;
    });
    assert.equal(got, "ready");
  } finally {
    await worker.terminate();
  }
});

Deno.test("an async task can fetch from a local server while generator tasks run", async () => {
  const server = await localServer(() => "pong");
  try {
    const [body, ticks] = await run(function* () {
      let ticks = 0;
      const ticker = createTask(function* () {
        for (;;) {
          ticks++;
          yield* sleep(0.001);
        }
      });
      const fetcher = createTask(async () => {
        const res = await fetch(server.url);
        return await res.text();
      });
      const body = yield* fetcher;
      ticker.cancel();
      return [body, ticks] as const;
    });
    assert.equal(body, "pong");
    assert.ok(ticks > 0);
  } finally {
    await server.close();
  }
});

Deno.test("the virtual clock finishes sleep(3600) at once with exact timing", async () => {
  const t0 = performance.now();
  const elapsed = await run(function* () {
    const loop = getRunningLoop();
    const start = loop.time();
    yield* sleep(3600);
    return loop.time() - start;
  }, virtual);
  assert.equal(elapsed, 3600);
  assert.ok(performance.now() - t0 < 5000);
});

Deno.test("the virtual clock also jumps for async-function tasks", async () => {
  const elapsed = await run(async () => {
    const loop = getRunningLoop();
    const start = loop.time();
    await sleep(60);
    await sleep(60);
    return loop.time() - start;
  }, virtual);
  assert.equal(elapsed, 120);
});

Deno.test("a virtual loop with nothing scheduled reports the deadlock", async () => {
  await assert.rejects(
    run(function* () {
      yield* getRunningLoop().createFuture();
    }, virtual),
    /deadlocked/,
  );
});

Deno.test("debug mode reports a slow callback with where it was scheduled", async () => {
  using loop = newEventLoop({ debug: true });
  loop.slowCallbackDuration = 0.01;
  const warnings: string[] = [];
  const orig = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  try {
    loop.callSoon(function slowOne() {
      const end = performance.now() + 20;
      while (performance.now() < end) { /* busy */ }
    });
    await runBriefly(loop);
  } finally {
    console.warn = orig;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /slowOne/);
  assert.match(warnings[0], /scheduled at/);
});

Deno.test("debug mode reports tasks still pending at close", async () => {
  const loop = newEventLoop({ debug: true, clock: "virtual" });
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
  await loop.runUntilComplete(function* () {
    createTask(function* () {
      yield* sleep(100);
    });
    yield* sleep(1);
  });
  loop.close();
  assert.ok(
    contexts.some((c) => /destroyed but it is pending/.test(c.message)),
  );
});

Deno.test("runUntilComplete() returns a Promise's result", async () => {
  using loop = newEventLoop();
  assert.equal(await loop.runUntilComplete(Promise.resolve("p")), "p");
});
