import assert from "node:assert/strict";
import {
  CancelledError,
  type Coro,
  createTask,
  Future,
  getRunningLoop,
  run,
  shield,
  sleep,
} from "../../mod.ts";
import { failure, FORMS, settleIn, virtual } from "./_forms.ts";

function* napThenReturn(s: number, v: string): Coro<string> {
  yield* sleep(s);
  return v;
}

for (const form of FORMS) {
  Deno.test(`shield() lets the awaiting task be cancelled while the inner runs on (${form})`, async () => {
    await run(function* () {
      const inner = createTask(napThenReturn(2, "finished"));
      const waiter = settleIn(form, () => shield(inner));
      yield* sleep(1);
      waiter.cancel();
      assert.ok(failure(yield* waiter) instanceof CancelledError);
      assert.equal(getRunningLoop().time(), 1);
      assert.equal(inner.cancelled(), false);
      assert.equal(yield* inner, "finished");
      assert.equal(getRunningLoop().time(), 2);
    }, virtual);
  });

  Deno.test(`shield() passes the inner result through (${form})`, async () => {
    await run(function* () {
      const r = yield* settleIn(form, () => shield(sleep(1, 5)));
      assert.deepEqual(r, { ok: true, value: 5 });
    }, virtual);
  });

  Deno.test(`shield() passes the inner error through (${form})`, async () => {
    await run(function* () {
      const boom = new RangeError("inner");
      const inner = createTask(async () => {
        await sleep(1);
        throw boom;
      });
      assert.equal(failure(yield* settleIn(form, () => shield(inner))), boom);
    }, virtual);
  });

  Deno.test(`shield() is cancelled when the inner is cancelled (${form})`, async () => {
    await run(function* () {
      const inner = createTask(napThenReturn(5, "never"));
      let outer = null as Future<string> | null;
      const waiter = settleIn(form, () => outer = shield(inner));
      yield* sleep(1);
      inner.cancel();
      assert.ok(failure(yield* waiter) instanceof CancelledError);
      assert.ok(outer!.cancelled());
    }, virtual);
  });
}

Deno.test("shield().cancel() cancels only the outer future", async () => {
  await run(function* () {
    const inner = createTask(napThenReturn(1, "saved"));
    const outer = shield(inner);
    assert.ok(outer.cancel());
    assert.ok(outer.cancelled());
    assert.equal(yield* inner, "saved");
  }, virtual);
});

Deno.test("shield() of a done future returns that future", async () => {
  await run(function* () {
    const f = new Future<number>();
    f.setResult(1);
    assert.equal(shield(f), f);
    yield* sleep(0);
  });
});
