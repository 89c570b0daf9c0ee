import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("Task.signal aborts with the CancelledError when the task is cancelled (generator)", async () => {
  await run(function* () {
    const task = createTask(function* () {
      yield* sleep(3600);
    });
    const signal = task.signal;
    yield* sleep(0);
    assert.equal(signal.aborted, false);
    task.cancel("enough");
    assert.equal(signal.aborted, true);
    assert.ok(signal.reason instanceof CancelledError);
    assert.equal(signal.reason.message, "enough");
    try {
      yield* task;
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
  }, virtual);
});

Deno.test("Task.signal aborts an async function's host wait at once", async () => {
  await run(async () => {
    const events: string[] = [];
    const task = createTask(async () => {
      const signal = currentTask()!.signal;
      try {
        await new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason));
        });
      } catch (err) {
        events.push(err instanceof CancelledError ? "cancelled" : "other");
        throw err;
      }
    });
    await sleep(0);
    task.cancel();
    await assert.rejects(async () => await task, CancelledError);
    assert.deepEqual(events, ["cancelled"]);
    assert.ok(task.cancelled());
  });
});

Deno.test("Task.signal read after cancel() is already aborted", async () => {
  await run(function* () {
    const task = createTask(function* () {
      yield* sleep(1);
    });
    task.cancel();
    assert.equal(task.signal.aborted, true);
    try {
      yield* task;
    } catch { /* cancelled */ }
  }, virtual);
});

Deno.test("Task.signal is fresh again once uncancel() withdraws every request", async () => {
  await run(function* () {
    const task = currentTask()!;
    const first = task.signal;
    task.cancel();
    assert.equal(first.aborted, true);
    task.uncancel();
    assert.equal(task.signal.aborted, false);
    assert.notEqual(task.signal, first);
    try {
      yield* sleep(0); // the cancellation was withdrawn before delivery
    } catch {
      assert.fail("a withdrawn cancellation was delivered");
    }
  }, virtual);
});

Deno.test("Task.signal of a task that finished stays quiet", async () => {
  await run(function* () {
    const task = createTask(function* () {
      return 1;
    });
    assert.equal(yield* task, 1);
    assert.equal(task.signal.aborted, false);
    assert.equal(task.cancel(), false);
    assert.equal(task.signal.aborted, false);
  });
});

Deno.test("Task.cancel() in debug mode reports a cancellation delivered late from a host promise", async () => {
  const warnings: string[] = [];
  const orig = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  try {
    await run(async () => {
      getRunningLoop().slowCallbackDuration = 0.01;
      // The host promise settles 40 ms after cancel(), never before it.
      let release!: () => void;
      const host = new Promise<void>((r) => (release = r));
      const task = createTask(async function hostBound() {
        await host;
        await sleep(0);
      }, { name: "host-bound" });
      await sleep(0.01);
      task.cancel();
      setTimeout(release, 40);
      await assert.rejects(async () => await task, CancelledError);
    }, { debug: true });
  } finally {
    console.warn = orig;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Task host-bound received its cancellation/);
  assert.match(warnings[0], /seconds late: it was awaiting a host promise/);
  assert.match(warnings[0], /delivered at:\n {4}at /);
  // The awaiting function shows only where the host's stacks follow an
  // await of a thenable (Deno's V8; not Node 20's V8, nor Bun's JSC).
  if (await thenableAwaitsShowInStacks()) {
    assert.match(warnings[0], /delivered at:\n[^]*hostBound/);
  }
});

/** Whether a stack taken in a thenable's then() names the async caller. */
async function thenableAwaitsShowInStacks(): Promise<boolean> {
  let stack = "";
  const thenable = {
    then(resolve: (v: undefined) => void) {
      stack = new Error().stack ?? "";
      resolve(undefined);
    },
  };
  await (async function awaitingCaller() {
    await null;
    await thenable;
  })();
  return /awaitingCaller/.test(stack);
}

Deno.test("Task.cancel() reports nothing late outside debug mode", async () => {
  const warnings: string[] = [];
  const orig = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  try {
    await run(async () => {
      // The host promise settles only after cancel(), however late the
      // host runs our timers (under load a 30 ms timer could beat it).
      let release!: () => void;
      const host = new Promise<void>((r) => (release = r));
      const task = createTask(async () => {
        await host;
        await sleep(0);
      });
      await sleep(0.01);
      task.cancel();
      setTimeout(release, 30);
      await assert.rejects(async () => await task, CancelledError);
    });
  } finally {
    console.warn = orig;
  }
  assert.deepEqual(warnings, []);
});
