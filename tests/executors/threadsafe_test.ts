import assert from "node:assert/strict";
import {
  CancelledError,
  getRunningLoop,
  run,
  runCoroutineThreadsafe,
  sleep,
} from "../../mod.ts";
import type { Future } from "../../mod.ts";

Deno.test("runCoroutineThreadsafe() runs a generator from a host callback on the loop", async () => {
  const got = await run(async () => {
    const loop = getRunningLoop();
    return await new Promise<number>((resolve, reject) => {
      setTimeout(() => {
        runCoroutineThreadsafe(function* () {
          assert.equal(getRunningLoop(), loop);
          yield* sleep(0.001);
          return 5;
        }, loop).then(resolve, reject);
      }, 1);
    });
  });
  assert.equal(got, 5);
});

Deno.test("runCoroutineThreadsafe() runs an async function from a host callback", async () => {
  const got = await run(async () => {
    const loop = getRunningLoop();
    return await new Promise<number>((resolve, reject) => {
      setTimeout(() => {
        runCoroutineThreadsafe(async () => {
          await sleep(0.001);
          return 6;
        }, loop).then(resolve, reject);
      }, 1);
    });
  });
  assert.equal(got, 6);
});

Deno.test("runCoroutineThreadsafe(): cancelling the result cancels the task", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    let cancelled = false;
    const { fut } = await new Promise<{ fut: Future<void> }>(
      (resolve) => {
        setTimeout(() => {
          resolve({
            fut: runCoroutineThreadsafe(function* () {
              try {
                yield* sleep(3600);
              } catch (err) {
                cancelled = err instanceof CancelledError;
                throw err;
              }
            }, loop),
          });
        }, 1);
      },
    );
    await sleep(0.01);
    fut.cancel();
    await sleep(0.01);
    assert.ok(cancelled);
  });
});

Deno.test("runCoroutineThreadsafe() refuses what is not a coroutine", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    assert.throws(() => runCoroutineThreadsafe(42 as never, loop), TypeError);
  });
});
