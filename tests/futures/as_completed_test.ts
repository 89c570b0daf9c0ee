import assert from "node:assert/strict";
import {
  asCompleted,
  createTask,
  run,
  sleep,
  TimeoutError,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

Deno.test("asCompleted() yields awaitables in completion order (generator)", async () => {
  const order = await run(function* () {
    const out: number[] = [];
    for (
      const next of asCompleted<number>([sleep(3, 3), sleep(1, 1), sleep(2, 2)])
    ) {
      out.push(yield* next);
    }
    return out;
  }, virtual);
  assert.deepEqual(order, [1, 2, 3]);
});

Deno.test("asCompleted() works as an async iterator of results", async () => {
  const order = await run(async () => {
    const out: string[] = [];
    const a = createTask(async () => {
      await sleep(2);
      return "a";
    });
    for await (const r of asCompleted<string>([a, sleep(1, "b")])) out.push(r);
    return out;
  }, virtual);
  assert.deepEqual(order, ["b", "a"]);
});

Deno.test("asCompleted() raises TimeoutError for what is not done in time", async () => {
  await run(function* () {
    const out: unknown[] = [];
    for (
      const next of asCompleted<number>([sleep(1, 1), sleep(5, 5)], {
        timeout: 2,
      })
    ) {
      try {
        out.push(yield* next);
      } catch (err) {
        out.push(err instanceof TimeoutError ? "timeout" : err);
      }
    }
    assert.deepEqual(out, [1, "timeout"]);
  }, virtual);
});

Deno.test("asCompleted() surfaces a failed awaitable's error in order", async () => {
  await run(function* () {
    const bad = createTask(async () => {
      await sleep(1);
      throw new RangeError("bad");
    });
    const it = asCompleted<unknown>([bad, sleep(2, "ok")])[Symbol.iterator]();
    try {
      yield* it.next().value!;
      assert.fail("should raise");
    } catch (err) {
      assert.ok(err instanceof RangeError);
    }
    assert.equal(yield* it.next().value!, "ok");
  }, virtual);
});
