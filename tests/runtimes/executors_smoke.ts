/**
 * A runtime-neutral smoke program of executors (no `Deno.*`), bundled with
 * esbuild and run under Node and Bun by `executors_node_bun_test.ts`:
 * `toThread`, a thread pool `map`, a process pool `submit`, an error with
 * its type, a buffer moved both ways, no fds left. It prints one JSON line
 * of what it saw, and exits non-zero on any failure.
 *
 * The bundle sits next to `exec_work.mjs` (the work, bundled from
 * `_exec_work.ts`), `asyncio_worker.mjs` and `asyncio_child.mjs` (the
 * thread and process entries, see `executors/_host.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import {
  ProcessPoolExecutor,
  run,
  ThreadPoolExecutor,
  toThread,
  transfer,
  work,
} from "../../mod.ts";
import { doorbellWriteFd } from "../../executors/_doorbell.ts";
import { runtime } from "../../poll/_runtime.ts";
import { waitReadable } from "../../poll/_bun_waiter.ts";
import { libraryName } from "../../poll/_libc.ts";
import { close, pipe } from "../../poll/fd.ts";
import type { bump, failRange, fib, square, where } from "./_exec_work.ts";

const mod = new URL("./exec_work.mjs", import.meta.url).href;
const squareWork = work<typeof square>(mod, "square");
const fibWork = work<typeof fib>(mod, "fib");
const failRangeWork = work<typeof failRange>(mod, "failRange");
const bumpWork = work<typeof bump>(mod, "bump");
const whereWork = work<typeof where>(mod, "where");

const fdList = () =>
  readdirSync("/proc/self/fd").map((fd) => {
    try {
      return `${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`;
    } catch {
      return fd; // the directory's own fd, gone
    }
  });
const openFds = () => readdirSync("/proc/self/fd").length;
// The process-wide doorbell stays open for good; on Bun the selectors'
// waiter Worker (kept for reuse) holds fds of Bun's own: start both
// before counting.
doorbellWriteFd();
if (runtime === "bun") {
  const [r, w] = pipe();
  await waitReadable(libraryName(), r, 0);
  close(r);
  close(w);
}
const before = fdList();
const fdsBefore = openFds();
const seen: string[] = [];

await run(function* () {
  assert.equal(yield* toThread(squareWork, 7), 49);
  assert.equal(yield* toThread(whereWork), runtime);
  seen.push("toThread");
});

await run(async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const out: number[] = [];
  for await (const r of pool.map(squareWork, [[1], [2], [3], [4]])) {
    out.push(r);
  }
  assert.deepEqual(out, [1, 4, 9, 16]);
  // Many sequential jobs: the shared-memory path, thread parked between.
  for (let i = 0; i < 200; i++) {
    assert.equal(await pool.submit(squareWork, i), i * i);
  }
  seen.push("map");
});

await run(function* () {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  try {
    assert.equal(yield* pool.submit(fibWork, 20), 6765);
    assert.equal(yield* pool.submit(whereWork), runtime);
  } finally {
    yield* pool.shutdown();
  }
  seen.push("process");
});

await run(function* () {
  try {
    yield* toThread(failRangeWork, "out of range");
    assert.fail("no error");
  } catch (err) {
    assert.ok(err instanceof RangeError, `not a RangeError: ${err}`);
    assert.equal((err as Error).message, "out of range");
    assert.match(String((err as Error).stack), /failRange/);
  }
  seen.push("error");
});

await run(function* () {
  const bytes = new Uint8Array(1 << 16).fill(1);
  const back = yield* toThread(bumpWork, transfer(bytes));
  assert.equal(bytes.byteLength, 0);
  assert.equal(back.byteLength, 1 << 16);
  assert.ok(back.every((b) => b === 2));
  seen.push("transfer");
});

// Threads end a little after terminate(): wait (bounded) for their fds.
const deadline = performance.now() + 5000;
while (openFds() > fdsBefore && performance.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
}
// Fewer is no leak: Bun closes fds of its own (its Workers') when it
// chooses, so the census before may count one it drops later (seen in CI).
assert.ok(
  openFds() <= fdsBefore,
  `fds left open: before ${before.join(", ")}; after ${fdList().join(", ")}`,
);
seen.push("fds");

console.log(JSON.stringify({ runtime, seen }));
