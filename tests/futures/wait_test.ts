import assert from "node:assert/strict";
import {
  ALL_COMPLETED,
  type Coro,
  createTask,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  run,
  sleep,
  wait,
} from "../../mod.ts";

const virtual = { clock: "virtual" } as const;

function* napThenReturn(s: number, v: string): Coro<string> {
  yield* sleep(s);
  return v;
}

Deno.test("wait() with ALL_COMPLETED returns when all are done", async () => {
  await run(function* () {
    const a = createTask(napThenReturn(1, "a"));
    const b = createTask(napThenReturn(2, "b"));
    const [done, pending] = yield* wait([a, b], { returnWhen: ALL_COMPLETED });
    assert.equal(done.size, 2);
    assert.equal(pending.size, 0);
  }, virtual);
});

Deno.test("wait() with FIRST_COMPLETED returns after the first", async () => {
  await run(async () => {
    const a = createTask(napThenReturn(1, "a"));
    const b = createTask(napThenReturn(2, "b"));
    const [done, pending] = await wait([a, b], { returnWhen: FIRST_COMPLETED });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...pending], [b]);
    await b;
  }, virtual);
});

Deno.test("wait() with FIRST_EXCEPTION returns at the first error", async () => {
  await run(function* () {
    const ok = createTask(napThenReturn(5, "ok"));
    const bad = createTask(function* (): Coro<void> {
      yield* sleep(1);
      throw new Error("bad");
    });
    const [done, pending] = yield* wait<unknown>([ok, bad], {
      returnWhen: FIRST_EXCEPTION,
    });
    assert.deepEqual([...done], [bad]);
    assert.deepEqual([...pending], [ok]);
    ok.cancel();
  }, virtual);
});

Deno.test("wait() with a timeout returns what is done and cancels nothing", async () => {
  await run(function* () {
    const a = createTask(napThenReturn(1, "a"));
    const b = createTask(napThenReturn(5, "b"));
    const [done, pending] = yield* wait([a, b], { timeout: 2 });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...pending], [b]);
    assert.equal(b.cancelled(), false);
    assert.equal(yield* b, "b");
  }, virtual);
});

Deno.test("wait() rejects an empty set and an unknown returnWhen", async () => {
  await run(function* () {
    assert.throws(() => wait([]), RangeError);
    assert.throws(
      () => wait([sleep(0)], { returnWhen: "SOMETIME" as never }),
      RangeError,
    );
    yield* sleep(0);
  });
});
