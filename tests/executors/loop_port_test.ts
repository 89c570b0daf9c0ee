import assert from "node:assert/strict";
import {
  LoopPort,
  run,
  runCoroutineThreadsafe,
  RuntimeError,
  ThreadPoolExecutor,
  transfer,
} from "../../mod.ts";
import type { RemoteLoop, Work } from "../../mod.ts";
import { FORMS } from "../futures/_forms.ts";
import {
  askAndCancelWork,
  askFailWork,
  askMulPlainWork,
  askMulWork,
  mulLaterWork,
  wasRemoteCancelled,
} from "./_work.ts";
import "./_helpers.ts";
import { Worker as Thread } from "node:worker_threads";
import { scaffoldUrl } from "../poll/_helpers.ts";

const sent = (r: RemoteLoop) => transfer(r, [r.port]);

for (const form of FORMS) {
  Deno.test(`runCoroutineThreadsafe(work, remote) from a pool thread runs the coroutine on our loop (${form})`, async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const got = await run(
        form === "generator"
          ? function* () {
            using port = new LoopPort();
            return yield* pool.submit(askMulWork, sent(port.remote), 6, 7);
          }
          : async () => {
            using port = new LoopPort();
            return await pool.submit(askMulWork, sent(port.remote), 6, 7);
          },
      );
      assert.equal(got, 42);
    } finally {
      await pool.shutdown();
    }
  });
}

Deno.test("runCoroutineThreadsafe(work, remote) from plain code on a thread (no loop there) returns a future to await", async () => {
  const got = await run(function* () {
    using port = new LoopPort();
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    return yield* pool.submit(askMulPlainWork, sent(port.remote), 3, 5);
  });
  assert.equal(got, 15);
});

// A Web Worker: Deno's and Bun's global (Node has none; the next test is
// the same on node:worker_threads, on all three).
Deno.test(
  "runCoroutineThreadsafe(work, remote) from a bare Worker given the port by postMessage",
  {
    ignore: typeof Worker === "undefined",
  },
  async () => {
    const url = new URL("./_remote_worker.js", import.meta.url);
    const w = new Worker(url, { type: "module" });
    w.onerror = (e) => {
      // Fail at once, not at the runner's timeout.
      e.preventDefault();
      throw new Error(`the Worker failed: ${e.message}`);
    };
    try {
      const got = await run(async () => {
        using port = new LoopPort();
        const answer = new Promise<number>((resolve) => {
          w.onmessage = (e) => resolve(e.data);
        });
        w.postMessage(port.remote, [port.remote.port]);
        return await answer;
      });
      assert.equal(got, 42);
    } finally {
      w.terminate();
    }
  },
);

Deno.test("runCoroutineThreadsafe(work, remote) from a node:worker_threads thread given the port", async () => {
  const t = new Thread(scaffoldUrl("./_remote_thread", import.meta.url));
  try {
    const got = await run(async () => {
      using port = new LoopPort();
      const answer = new Promise<number>((resolve, reject) => {
        t.once("message", resolve);
        t.once("error", reject);
      });
      // Node's types know only its own MessagePort: the global one is it.
      t.postMessage(port.remote, [port.remote.port as never]);
      return await answer;
    });
    assert.equal(got, 42);
  } finally {
    await t.terminate();
  }
});

Deno.test("runCoroutineThreadsafe(work, remote): the coroutine's error reaches the thread with its type", async () => {
  const got = await run(function* () {
    using port = new LoopPort();
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    return yield* pool.submit(askFailWork, sent(port.remote));
  });
  assert.equal(got, "RangeError: too far");
});

Deno.test("runCoroutineThreadsafe(work, remote): cancelling on the thread cancels the task on our loop", async () => {
  const got = await run(function* () {
    using port = new LoopPort();
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    return yield* pool.submit(askAndCancelWork, sent(port.remote));
  });
  assert.equal(got, "cancelled");
  assert.equal(wasRemoteCancelled(), true);
});

Deno.test("LoopPort: a request after close() is a RuntimeError on the thread, nothing sent", async () => {
  await run(function* () {
    const port = new LoopPort();
    const remote = port.remote;
    port.close();
    assert.equal(port.closed, true);
    // The remote end, used from this thread as another thread would.
    assert.throws(
      () => runCoroutineThreadsafe(mulLaterWork, remote, 1, 2),
      (err: unknown) =>
        err instanceof RuntimeError && /closed/.test(err.message),
    );
  });
});

Deno.test("LoopPort() without a running loop is a RuntimeError", () => {
  assert.throws(() => new LoopPort(), /no running event loop|running/);
});

Deno.test("runCoroutineThreadsafe(x, remote) with x not a work reference is a TypeError, nothing sent", async () => {
  await run(function* () {
    using port = new LoopPort();
    assert.throws(
      () =>
        runCoroutineThreadsafe(
          (() => 1) as unknown as Work<() => number>,
          port.remote,
        ),
      TypeError,
    );
  });
});

Deno.test("runCoroutineThreadsafe(work, remote) with an argument that cannot be cloned is a TypeError, nothing sent", async () => {
  await run(function* () {
    using port = new LoopPort();
    assert.throws(
      () =>
        runCoroutineThreadsafe(
          mulLaterWork,
          port.remote,
          (() => 1) as unknown as number,
          1,
        ),
      (err: unknown) => err instanceof TypeError && /cloned/.test(err.message),
    );
  });
});
