/**
 * The loop shares the JS thread with Deno's own event loop: host timers,
 * host I/O and signal listeners run within a bounded delay of becoming due,
 * whatever the program does (sleeping, spinning on sleep(0), blocked on an
 * fd). These are upper bounds of lateness measured in real time: the loop
 * promises 10 ms (its default `hostDelay`); the tests allow 60 ms so that a
 * loaded 2-core machine does not fail them, while a loop that holds the
 * thread (the old behaviour) is late by hundreds of milliseconds.
 */

import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  currentTask,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  timeout,
  TimeoutError,
} from "../../mod.ts";
import { close, pipe } from "../../poll/fd.ts";
import { noLeak } from "../poll/_helpers.ts";

// Allowed lateness of a host callback, in ms (see the module doc).
const LATE_MS = 60;

/** How late (ms) a host setTimeout(`ms`) fires while `program` runs. */
async function hostTimerLateness(
  program: () => Coro<void>,
  ms = 100,
): Promise<number> {
  let late = Infinity;
  const t0 = performance.now();
  const id = setTimeout(() => (late = performance.now() - t0 - ms), ms);
  try {
    await run(program);
  } finally {
    clearTimeout(id);
  }
  return late;
}

function* spinFor(seconds: number): Coro<void> {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) yield* sleep(0);
}

Deno.test("run() lets a host timer fire on time while a generator sleeps", async () => {
  const late = await hostTimerLateness(function* () {
    yield* sleep(0.4);
  });
  assert.ok(late < LATE_MS, `host timer fired ${late} ms late`);
});

Deno.test("run() lets a host timer fire on time while a generator spins on sleep(0)", async () => {
  const late = await hostTimerLateness(() => spinFor(0.4));
  assert.ok(late < LATE_MS, `host timer fired ${late} ms late`);
});

Deno.test("run() lets a host timer fire on time while the loop waits on an fd", async () => {
  await noLeak(async () => {
    const [r, w] = pipe({ nonblocking: true });
    try {
      const late = await hostTimerLateness(function* () {
        const loop = getRunningLoop();
        loop.addReader(r, () => {});
        const stop = loop.createFuture<void>();
        // Nothing else is scheduled: only the fd (and this far timer).
        loop.callLater(0.4, () => stop.setResult());
        yield* stop;
        loop.removeReader(r);
      });
      assert.ok(late < LATE_MS, `host timer fired ${late} ms late`);
    } finally {
      close(r);
      close(w);
    }
  });
});

Deno.test("run() with hostDelay: Infinity holds the thread until it is done", async () => {
  let fired = false;
  const id = setTimeout(() => (fired = true), 20);
  await run(() => spinFor(0.1), { hostDelay: Infinity });
  const firedDuringRun = fired;
  clearTimeout(id);
  assert.equal(firedDuringRun, false);
});

Deno.test("run() answers a fetch to a local Deno.serve during a generator workload", async () => {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    () => new Response("pong"),
  );
  const { port } = server.addr as Deno.NetAddr;
  try {
    const took = await run(function* () {
      const spinners = [1, 2, 3].map(() => createTask(() => spinFor(0.4)));
      const fetcher = createTask(async () => {
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(await res.text(), "pong");
        return performance.now() - t0;
      });
      const ms = yield* fetcher;
      for (const s of spinners) yield* s;
      return ms;
    });
    assert.ok(took < 100 + LATE_MS, `fetch took ${took} ms`);
  } finally {
    ac.abort();
    await server.finished;
  }
});

Deno.test("run() lets a signal listener run on time while a generator spins", async () => {
  let sentAt = 0;
  let late = Infinity;
  const onSignal = () => (late = performance.now() - sentAt);
  Deno.addSignalListener("SIGUSR1", onSignal);
  const id = setTimeout(() => {
    sentAt = performance.now();
    Deno.kill(Deno.pid, "SIGUSR1");
  }, 50);
  try {
    await run(() => spinFor(0.3));
  } finally {
    clearTimeout(id);
    // Removed only once handled: without a listener SIGUSR1 kills Deno.
    Deno.removeSignalListener("SIGUSR1", onSignal);
  }
  assert.ok(late < LATE_MS, `signal listener ran ${late} ms late`);
});

/** A local server whose answers wait until the test releases them. */
async function withStalledServer(
  fn: (url: string) => Promise<void>,
): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async () => {
      await released;
      return new Response("late");
    },
  );
  const { port } = server.addr as Deno.NetAddr;
  try {
    await fn(`http://127.0.0.1:${port}/`);
  } finally {
    release();
    ac.abort();
    await server.finished;
  }
}

Deno.test("Task.signal stops a fetch when the task is cancelled", async () => {
  await withStalledServer(async (url) => {
    await run(async () => {
      const task = createTask(async () => {
        await fetch(url, { signal: currentTask()!.signal });
      });
      await sleep(0.05);
      const t0 = performance.now();
      task.cancel();
      await assert.rejects(async () => await task, CancelledError);
      const took = performance.now() - t0;
      assert.ok(took < LATE_MS, `the task ended ${took} ms after cancel()`);
    });
  });
});

Deno.test("timeout() ends a fetch given the task's signal on time", async () => {
  await withStalledServer(async (url) => {
    await run(async () => {
      const t0 = performance.now();
      await assert.rejects(
        async () =>
          await timeout(0.1).run(async () => {
            await fetch(url, { signal: currentTask()!.signal });
          }),
        TimeoutError,
      );
      const took = performance.now() - t0;
      assert.ok(took >= 100 && took < 100 + LATE_MS, `took ${took} ms`);
      // The cancellation was withdrawn: the task's next fetch may run.
      assert.equal(currentTask()!.signal.aborted, false);
    });
  });
});

Deno.test("EventLoop() rejects a hostDelay that is not a duration", () => {
  assert.throws(
    () => newEventLoop({ hostDelay: "1" as unknown as number }),
    TypeError,
  );
  assert.throws(() => newEventLoop({ hostDelay: -1 }), RangeError);
  assert.throws(() => newEventLoop({ hostDelay: NaN }), RangeError);
});
