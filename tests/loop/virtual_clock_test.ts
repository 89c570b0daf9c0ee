import assert from "node:assert/strict";
import {
  createTask,
  fromPromise,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";
import { close, pipe } from "../../poll/fd.ts";
import { noLeak } from "../poll/_helpers.ts";

const virtual = { clock: "virtual" } as const;

function hostDelayMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("the virtual clock advances to the next timer with an fd watched (generator)", async () => {
  await noLeak(async () => {
    const [r, w] = pipe({ nonblocking: true });
    try {
      const t0 = performance.now();
      const end = await run(function* () {
        const loop = getRunningLoop();
        loop.addReader(r, () => {});
        const start = loop.time();
        yield* sleep(0.2);
        yield* sleep(30);
        loop.removeReader(r);
        return loop.time() - start;
      }, virtual);
      assert.equal(end, 30.2);
      assert.ok(performance.now() - t0 < 1000, "virtual time waited for real");
    } finally {
      close(r);
      close(w);
    }
  });
});

Deno.test("the virtual clock with an fd watched still runs its ready reader (generator)", async () => {
  await noLeak(async () => {
    const [r, w] = pipe({ nonblocking: true });
    try {
      await run(function* () {
        const loop = getRunningLoop();
        let readAt = -1;
        loop.addReader(r, () => {
          readAt = loop.time();
          loop.removeReader(r);
        });
        close(w);
        // EOF makes r readable at once: it runs before time jumps.
        yield* sleep(5);
        assert.equal(readAt, 0);
        assert.equal(loop.time(), 5);
      }, virtual);
    } finally {
      close(r);
    }
  });
});

Deno.test("the virtual clock stays exact while an async task awaits host promises", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const start = loop.time();
    // A host promise pending across a virtual sleep, then awaited.
    const host = hostDelayMs(30);
    await sleep(0.5);
    await host;
    assert.equal(loop.time() - start, 0.5);
    await fromPromise(hostDelayMs(20));
    await sleep(0.25);
    assert.equal(loop.time() - start, 0.75);
  }, virtual);
});

Deno.test("the virtual clock does not wait for a host promise another task awaits", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const start = loop.time();
    const slow = createTask(async () => await hostDelayMs(50));
    await sleep(10);
    assert.equal(loop.time() - start, 10);
    await slow;
    // Real time passed for the host; virtual time did not.
    assert.equal(loop.time() - start, 10);
  }, virtual);
});
