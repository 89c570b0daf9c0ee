import assert from "node:assert/strict";
import { CancelledError, createTask, run, shield, sleep } from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("shield() lets the awaiting task be cancelled while the inner runs on", async () => {
  await run(function* () {
    const inner = createTask(function* () {
      yield* sleep(2);
      return "finished";
    });
    const waiter = createTask(function* () {
      return yield* shield(inner);
    });
    yield* sleep(1);
    waiter.cancel();
    try {
      yield* waiter;
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.equal(inner.cancelled(), false);
    assert.equal(yield* inner, "finished");
  }, virtual);
});

Deno.test("shield() passes the inner result and error through", async () => {
  await run(async () => {
    assert.equal(await shield(sleep(1, 5)), 5);
    await assert.rejects(
      async () =>
        await shield(createTask(async () => {
          throw new RangeError("inner");
        })),
      RangeError,
    );
  }, virtual);
});

Deno.test("shield() is cancelled when the inner is cancelled", async () => {
  await run(function* () {
    const inner = createTask(function* () {
      yield* sleep(5);
    });
    const outer = shield(inner);
    yield* sleep(1);
    inner.cancel();
    try {
      yield* outer;
    } catch (err) {
      assert.ok(err instanceof CancelledError);
    }
    assert.ok(outer.cancelled());
  }, virtual);
});
