/**
 * The loop shares the JS thread with Deno's own event loop: host timers,
 * host I/O and signal listeners run within a bounded delay of becoming due,
 * whatever the program does (sleeping, spinning on sleep(0), blocked on an
 * fd). Lateness is measured in real time. The loop promises 10 ms (its
 * default `hostDelay`) and the issue asks for 15 ms, but on a loaded 2-core
 * machine any one sample can be late by a few CPU time slices (30-80 ms
 * seen here), whatever the loop does. So the host timer tests take a
 * sample every 20 ms for the whole run (about 20 samples): the median must
 * be under 15 ms (a timer due at a random moment of a 10 ms stretch waits
 * 5 ms in the median, and load delays only a minority of samples) and all
 * but the two latest under 60 ms. A loop that holds the thread (the old
 * behaviour) gives no sample at all. Signal listeners are held to the same
 * bounds over a signal every 30 ms. Tests with one sample allow 60 ms.
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
import process from "node:process";
import { localServer } from "./_http_server.ts";

// Allowed lateness of one host callback, and the median lateness allowed
// over a run's samples, in ms (see the module doc).
const LATE_MS = 60;
const MEDIAN_LATE_MS = 15;
// How often a host timer samples the lateness while the program runs.
const SAMPLE_EVERY_MS = 20;

/**
 * How late (ms) host timers fire while `program` runs: a timer due every
 * SAMPLE_EVERY_MS from the start (each armed when the previous one fired,
 * for the next slot still ahead), each sample its lateness.
 */
async function hostTimerLateness(program: () => Coro<void>): Promise<number[]> {
  // The first run() of a process loads libc (dlopen, ~100 FFI symbols):
  // tens of ms of one synchronous call, not the loop's doing.
  await run(function* () {});
  const samples: number[] = [];
  const t0 = performance.now();
  let id: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    const now = performance.now();
    const due = t0 + (Math.floor((now - t0) / SAMPLE_EVERY_MS) + 1) *
        SAMPLE_EVERY_MS;
    id = setTimeout(() => {
      samples.push(performance.now() - due);
      arm();
    }, due - now);
  };
  arm();
  try {
    await run(program);
  } finally {
    clearTimeout(id);
  }
  return samples;
}

/** Assert the samples of a 0.4 s run meet both bounds (see the module doc). */
function assertOnTime(samples: number[], what = "host timers fired"): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const shown = samples.map((x) => x.toFixed(1)).join(", ");
  // 0.4 s gives up to 20 samples; a loop holding the thread gives none.
  assert.ok(sorted.length >= 5, `only ${sorted.length} ${what}`);
  const median = sorted[sorted.length >> 1];
  assert.ok(
    median < MEDIAN_LATE_MS,
    `${what} ${median} ms late in the median (${shown})`,
  );
  const third = sorted[sorted.length - 3];
  assert.ok(
    third < LATE_MS,
    `three ${what} ${third} ms late or more (${shown})`,
  );
}

function* spinFor(seconds: number): Coro<void> {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) yield* sleep(0);
}

Deno.test("run() lets a host timer fire on time while a generator sleeps", async () => {
  assertOnTime(
    await hostTimerLateness(function* () {
      yield* sleep(0.4);
    }),
  );
});

Deno.test("run() lets a host timer fire on time while a generator spins on sleep(0)", async () => {
  assertOnTime(await hostTimerLateness(() => spinFor(0.4)));
});

Deno.test("run() lets a host timer fire on time while the loop waits on an fd", async () => {
  await noLeak(async () => {
    const [r, w] = pipe({ nonblocking: true });
    try {
      const samples = await hostTimerLateness(function* () {
        const loop = getRunningLoop();
        loop.addReader(r, () => {});
        const stop = loop.createFuture<void>();
        // Nothing else is scheduled: only the fd (and this far timer).
        loop.callLater(0.4, () => stop.setResult());
        yield* stop;
        loop.removeReader(r);
      });
      assertOnTime(samples);
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

Deno.test("run() answers a fetch to a local server during a generator workload", async () => {
  // Medians, against a baseline taken in the same run with the host free:
  // the first fetch of a process loads the HTTP client (100-200 ms on a
  // loaded Node), and any one fetch may lose a few CPU time slices. Their
  // sum is bounded too: a loop that held the thread would answer the first
  // fetch only once its spinners gave up (after SPIN_MAX_S), then the rest
  // at once.
  const FETCHES = 7;
  const SPIN_MAX_S = 5;
  const server = await localServer(() => "pong");
  const timedFetch = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(server.url);
    assert.equal(await res.text(), "pong");
    return performance.now() - t0;
  };
  const medianOf = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[xs.length >> 1];
  try {
    await timedFetch(); // load the client, open the connection
    const free: number[] = [];
    for (let i = 0; i < FETCHES; i++) free.push(await timedFetch());
    const busy = await run(function* () {
      let done = false;
      const spin = function* (): Coro<void> {
        const end = performance.now() + SPIN_MAX_S * 1000;
        while (!done && performance.now() < end) yield* sleep(0);
      };
      const spinners = [1, 2, 3].map(() => createTask(spin));
      const fetcher = createTask(async () => {
        const ms: number[] = [];
        try {
          for (let i = 0; i < FETCHES; i++) ms.push(await timedFetch());
        } finally {
          done = true;
        }
        return ms;
      });
      const ms = yield* fetcher;
      for (const s of spinners) yield* s;
      return ms;
    });
    const sum = busy.reduce((a, b) => a + b, 0);
    const shown = `busy ${busy.map((x) => x.toFixed(1))}, free ${
      free.map((x) => x.toFixed(1))
    }`;
    assert.ok(
      medianOf(busy) < medianOf(free) + 100,
      `fetches took ${medianOf(busy)} ms in the median (${shown})`,
    );
    assert.ok(
      sum < FETCHES * (medianOf(free) + 100),
      `fetches took ${sum} ms in all (${shown})`,
    );
  } finally {
    await server.close();
  }
});

Deno.test("run() lets a signal listener run on time while a generator spins", async () => {
  // A signal every 30 ms (each sent by a host timer once the previous one
  // was handled), each sample the delay from kill() to the listener.
  const samples: number[] = [];
  let sentAt = 0;
  let inFlight = false;
  let id: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  const send = (): void => {
    // Once stopping, a signal handled in the drain below must not arm
    // another: it would arrive after the listener is gone and kill Deno.
    if (stopping) return;
    id = setTimeout(() => {
      sentAt = performance.now();
      inFlight = true;
      process.kill(process.pid, "SIGUSR1");
    }, 30);
  };
  const onSignal = (): void => {
    inFlight = false;
    samples.push(performance.now() - sentAt);
    send();
  };
  // node:process: the same listener API on Deno, Node and Bun.
  process.on("SIGUSR1", onSignal);
  try {
    await run(function* () {}); // libc's one-time load (see hostTimerLateness)
    send();
    await run(() => spinFor(0.4));
  } finally {
    stopping = true;
    clearTimeout(id);
    // Removed only once handled: without a listener SIGUSR1 kills us.
    for (let i = 0; i < 100 && inFlight; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    process.off("SIGUSR1", onSignal);
  }
  assertOnTime(samples, "signal listeners ran");
});

/** A local server whose answers wait until the test releases them. */
async function withStalledServer(
  fn: (url: string) => Promise<void>,
): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server = await localServer(async () => {
    await released;
    return "late";
  });
  try {
    await fn(server.url);
  } finally {
    release();
    await server.close();
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
