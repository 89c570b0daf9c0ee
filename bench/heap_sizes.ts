/**
 * Heap bytes a pending timer and a not-yet-run task keep alive (what a
 * scavenge copies when 200,000 timers or 100,000 tasks survive it), one
 * JSON line. Repeatable under load, unlike the timings.
 *
 * `deno run --v8-flags=--expose-gc --allow-ffi --allow-read bench/heap_sizes.ts [-n N]`
 *
 * @module
 */

import { newEventLoop, sleep, Task } from "../mod.ts";

const argN = Deno.args.indexOf("-n");
const N = argN >= 0 ? Number(Deno.args[argN + 1]) : 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  throw new Error("Run with --v8-flags=--expose-gc: the sizes need a full GC");
}

function heap(): number {
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

// Bytes per item kept in `keep`, minus the array slot that keeps it.
function perItem(make: (i: number) => unknown): number {
  const keep: unknown[] = new Array(N);
  const before = heap();
  for (let i = 0; i < N; i++) keep[i] = make(i);
  const after = heap();
  keep.length = 0;
  return (after - before) / N - 8;
}

function* coro() {
  yield* sleep(0);
}

const loop = newEventLoop();
try {
  const cb = (): void => {};
  const timer = perItem((i) => loop.callLater(((i * 7919) % 50_000) / 1e6, cb));
  const gens = Array.from({ length: N }, () => coro());
  const tasks: Task<void>[] = [];
  const task = perItem((i) => {
    const t = new Task(gens[i], { loop });
    tasks.push(t);
    return t;
  });
  for (const t of tasks) t.cancel();
  console.log(JSON.stringify({
    bench: "heap_sizes",
    n: N,
    timer_bytes: Math.round(timer * 10) / 10,
    // Includes the Task's entry in the loop's task set and its first step
    // in the ready queue.
    task_bytes: Math.round((task - 8) * 10) / 10,
  }));
} finally {
  loop.close();
}
