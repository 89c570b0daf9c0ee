import assert from "node:assert/strict";
import { _heldWaiters } from "../../futures/_wait.ts";
import {
  Event,
  gather,
  getRunningLoop,
  run,
  sleep,
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import { awaitIn, FORMS, settleIn, virtual } from "./_forms.ts";

Deno.test("Event starts unset; set() and clear() flip isSet()", () => {
  const ev = new Event();
  assert.equal(ev.isSet(), false);
  ev.set();
  ev.set(); // harmless
  assert.equal(ev.isSet(), true);
  ev.clear();
  assert.equal(ev.isSet(), false);
});

Deno.test("Event.wait() on a set event needs no Future and no running loop", () => {
  const ev = new Event();
  ev.set();
  const aw = ev.wait();
  assert.ok(!(aw instanceof Promise));
  assert.equal([...aw].length, 0); // yield* returns at once
});

for (const form of FORMS) {
  Deno.test(`Event.wait() returns true at once when set (${form})`, async () => {
    await run(function* () {
      const ev = new Event();
      ev.set();
      assert.equal(yield* awaitIn(form, () => ev.wait()), true);
    }, virtual);
  });

  Deno.test(`Event.set() wakes every waiter (${form})`, async () => {
    await run(function* () {
      const ev = new Event();
      const ts = [0, 1, 2].map(() => awaitIn(form, () => ev.wait()));
      yield* sleep(1);
      assert.ok(ts.every((t) => !t.done()));
      ev.set();
      assert.deepEqual(yield* gather(...ts), [true, true, true]);
    }, virtual);
  });

  Deno.test(`Event.clear() makes wait() block again (${form})`, async () => {
    await run(function* () {
      const ev = new Event();
      ev.set();
      ev.clear();
      const t = awaitIn(form, () => ev.wait());
      yield* sleep(1);
      assert.equal(t.done(), false);
      ev.set();
      assert.equal(yield* t, true);
    }, virtual);
  });

  Deno.test(`Event.set() then clear() in one go still wakes the waiters (${form})`, async () => {
    await run(function* () {
      const ev = new Event();
      const t = awaitIn(form, () => ev.wait());
      yield* sleep(1);
      ev.set();
      ev.clear();
      assert.equal(yield* t, true);
      assert.equal(ev.isSet(), false);
    }, virtual);
  });

  Deno.test(`Event.wait() cancelled does not stop set() waking the others (${form})`, async () => {
    await run(function* () {
      const ev = new Event();
      const a = settleIn(form, () => ev.wait());
      const b = awaitIn(form, () => ev.wait());
      yield* sleep(1);
      a.cancel();
      yield* sleep(1);
      ev.set();
      assert.equal(yield* b, true);
      assert.ok(a.cancelled() || !(yield* a).ok);
    }, virtual);
  });

  Deno.test(`Event does not pile up ${form} waiters that were cancelled`, async () => {
    await run(function* () {
      const ev = new Event();
      for (let i = 0; i < 1000; i++) {
        const t = awaitIn(form, () => ev.wait());
        yield* sleep(0);
        t.cancel();
        yield* sleep(0);
      }
      const waiters = _heldWaiters(ev);
      assert.ok(waiters <= 64, `${waiters} cancelled waiters kept`);
    }, virtual);
  });
}

Deno.test("Event.wait() waits on the virtual clock until set() from a timer", async () => {
  await run(function* () {
    const ev = new Event();
    const loop = getRunningLoop();
    loop.callLater(5, () => ev.set());
    const t0 = loop.time();
    yield* ev.wait();
    assert.equal(loop.time() - t0, 5);
  }, virtual);
});

Deno.test("Event.wait() under waitFor(…, 0) leaves no waiter", async () => {
  await run(function* () {
    const ev = new Event();
    for (let i = 0; i < 1000; i++) {
      try {
        yield* waitFor(ev.wait(), 0);
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
      }
    }
    assert.equal(_heldWaiters(ev), 0);
    assert.equal(String(ev), "<Event [unset]>");
  }, virtual);
});
