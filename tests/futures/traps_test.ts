// The traps a user porting asyncio code falls into (issue 9): each gets a
// clear error or a debug-mode warning, and objects print like asyncio's.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  Barrier,
  Condition,
  createTask,
  Event,
  Future,
  Lock,
  Queue,
  run,
  Semaphore,
  sleep,
  TaskGroup,
} from "../../mod.ts";

/** Run `fn` with console.warn captured; returns what was warned. */
async function capturingWarnings(fn: () => unknown): Promise<string[]> {
  const warned: string[] = [];
  const orig = console.warn;
  console.warn = (...a: unknown[]) => warned.push(a.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.warn = orig;
  }
  return warned;
}

Deno.test("Task toString() is asyncio's repr, also for Deno.inspect and util.inspect", async () => {
  await run(function* main() {
    const t = createTask(function* worker() {
      yield* sleep(0);
      return 42;
    }, { name: "w" });
    assert.equal(String(t), "<Task pending name='w' coro=<worker()>>");
    assert.equal(Deno.inspect(t), String(t));
    assert.equal(inspect(t), String(t));
    yield* t;
    assert.equal(
      String(t),
      "<Task finished name='w' coro=<worker()> result=42>",
    );
  });
});

Deno.test("Future toString() shows its result or exception", async () => {
  await run(function* () {
    const f = new Future<string>();
    assert.equal(String(f), "<Future pending>");
    f.setResult("ok");
    assert.equal(String(f), '<Future finished result="ok">');
    const g = new Future();
    g.setException(new RangeError("no"));
    assert.equal(String(g), '<Future finished exception=RangeError("no")>');
    g.exception();
    const c = new Future();
    c.cancel();
    assert.equal(Deno.inspect(c), "<Future cancelled>");
    yield* sleep(0);
  });
});

Deno.test("Lock, Event, Semaphore, Condition, Barrier and Queue print like asyncio", async () => {
  await run(function* () {
    const lock = new Lock();
    assert.equal(Deno.inspect(lock), "<Lock [unlocked]>");
    const ev = new Event();
    const waiters = [createTask(ev.wait()), createTask(ev.wait())];
    yield* sleep(0);
    assert.equal(inspect(ev), "<Event [unset, waiters:2]>");
    ev.set();
    yield* waiters[0];
    yield* waiters[1];
    assert.equal(String(ev), "<Event [set]>");
    assert.equal(String(new Semaphore(1)), "<Semaphore [unlocked, value:1]>");
    assert.equal(String(new Condition()), "<Condition [unlocked]>");
    const b = new Barrier(3);
    assert.equal(b.state, "filling");
    assert.equal(Deno.inspect(b), "<Barrier [filling, waiters:0/3]>");
    const q = new Queue<number>(10);
    for (let i = 0; i < 3; i++) q.putNowait(i);
    assert.equal(String(q), "<Queue maxsize=10 qsize=3 tasks=3>");
    assert.equal(Deno.inspect(new Queue(10)), "<Queue maxsize=10 qsize=0>");
  });
});

Deno.test("await using a TaskGroup is a TypeError that names TaskGroup.run()", async () => {
  await run(async () => {
    await assert.rejects(
      async () => {
        await using _tg = new TaskGroup() as never;
      },
      (e) => e instanceof TypeError && /TaskGroup\.run\(/.test(e.message),
    );
  });
});

Deno.test("using an un-awaited lock.hold() is a TypeError that says to await it", async () => {
  await run(function* () {
    const lock = new Lock();
    assert.throws(
      () => {
        using _held = lock.hold() as never;
      },
      (e) =>
        e instanceof TypeError &&
        /not awaited, write `using _ = yield\* lock\.hold\(\)`/.test(e.message),
    );
    assert.equal(lock.locked(), false);
    yield* sleep(0);
  });
});

Deno.test("debug mode: a sleep() or lock.acquire() never awaited is reported with where it was made", async () => {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const warned = await capturingWarnings(async () => {
    await run(function* () {
      (() => {
        sleep(0.2);
        new Lock().acquire();
      })();
      yield* sleep(0);
    }, { debug: true });
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  const never = warned.filter((w) => /was never awaited/.test(w));
  assert.ok(
    never.some((w) => /sleep\(\) was never awaited/.test(w)),
    String(warned),
  );
  assert.ok(never.some((w) => /lock\.acquire\(\) was never awaited/.test(w)));
  assert.ok(never.every((w) => /traps_test\.[jt]s/.test(w)), "names where");
});

Deno.test("debug mode: an awaited sleep() is not reported", async () => {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const warned = await capturingWarnings(async () => {
    await run(async () => {
      await sleep(0.01);
      const lock = new Lock();
      await lock.acquire();
    }, { debug: true });
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  assert.deepEqual(warned.filter((w) => /never awaited/.test(w)), []);
});

Deno.test("debug mode reports a slow task step, not only slow callbacks", async () => {
  const warned = await capturingWarnings(async () => {
    await run(function* () {
      const t = createTask(function* busy() {
        const end = performance.now() + 120;
        while (performance.now() < end) { /* spin */ }
        yield* sleep(0);
      });
      yield* t;
    }, { debug: true });
  });
  assert.ok(
    warned.some((w) =>
      /^Executing <Task .*coro=<busy\(\)>.* took \d+\.\d{3} seconds/.test(w)
    ),
    String(warned),
  );
});
