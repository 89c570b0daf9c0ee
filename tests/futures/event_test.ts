import assert from "node:assert/strict";
import { createTask, Event, gather, run, sleep } from "../../mod.ts";

Deno.test("Event.wait() returns at once when set", async () => {
  await run(function* () {
    const ev = new Event();
    ev.set();
    assert.equal(yield* ev.wait(), true);
  }, { clock: "virtual" });
});

Deno.test("Event.set() wakes every waiter of both forms", async () => {
  await run(function* () {
    const ev = new Event();
    const a = createTask(function* () {
      return yield* ev.wait();
    });
    const b = createTask(async () => await ev.wait());
    yield* sleep(0);
    assert.equal(a.done() || b.done(), false);
    ev.set();
    assert.deepEqual(yield* gather(a, b), [true, true]);
  }, { clock: "virtual" });
});

Deno.test("Event.clear() makes wait() block again", async () => {
  await run(function* () {
    const ev = new Event();
    ev.set();
    ev.clear();
    assert.equal(ev.isSet(), false);
    const t = createTask(function* () {
      return yield* ev.wait();
    });
    yield* sleep(1);
    assert.equal(t.done(), false);
    ev.set();
    yield* t;
  }, { clock: "virtual" });
});
