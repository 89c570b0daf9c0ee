/**
 * Executor benchmarks, one JSON line each (`bench`, `impl`, `n`, seconds,
 * per-op microseconds or speed-up):
 *
 * - `to_thread`: `toThread` of a trivial function, N sequential calls
 *   (default 10,000), both coroutine forms, beside a bare Worker
 *   `postMessage` round trip (the floor).
 * - `fib_pool`: 200 x fib(27) through a thread pool and a process pool of 2
 *   workers vs 1 (the speed-up; the target is >= 1.8x on 2 cores).
 *
 * Python counterparts: `bench/python/executors.py` (asyncio, `--uvloop`).
 * Run: `npx deno run --allow-ffi --allow-read bench/executors.ts [-n N] [--jobs J] [--only to_thread|fib_pool]`
 *
 * @module
 */

import {
  gather,
  ProcessPoolExecutor,
  run,
  ThreadPoolExecutor,
  toThread,
} from "../mod.ts";
import { fibWork, squareWork } from "../examples/_work.ts";

const argN = Deno.args.indexOf("-n");
const N = argN >= 0 ? Number(Deno.args[argN + 1]) : 10_000;
const argJ = Deno.args.indexOf("--jobs");
const JOBS = argJ >= 0 ? Number(Deno.args[argJ + 1]) : 200;
const FIB = 27;
// `--only to_thread` or `--only fib_pool`: one benchmark of the two.
const argOnly = Deno.args.indexOf("--only");
const ONLY = argOnly >= 0 ? Deno.args[argOnly + 1] : null;

function line(o: Record<string, unknown>): void {
  console.log(JSON.stringify({ runtime: "deno", ...o }));
}

async function bareWorker(): Promise<void> {
  const w = new Worker(new URL("./_exec/echo_worker.js", import.meta.url), {
    type: "module",
  });
  let resolve!: () => void;
  w.onmessage = () => resolve();
  const once = () =>
    new Promise<void>((r) => {
      resolve = r;
      w.postMessage(1);
    });
  await once();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await once();
  const s = (performance.now() - t0) / 1000;
  w.terminate();
  line({
    bench: "to_thread",
    impl: "bare-worker",
    n: N,
    seconds: s,
    us: s / N * 1e6,
  });
}

async function toThreadBench(): Promise<void> {
  for (const form of ["generator", "async"] as const) {
    const s = await run(
      form === "generator"
        ? function* () {
          yield* toThread(squareWork, 1); // starts the thread
          const t0 = performance.now();
          for (let i = 0; i < N; i++) yield* toThread(squareWork, i);
          return (performance.now() - t0) / 1000;
        }
        : async () => {
          await toThread(squareWork, 1);
          const t0 = performance.now();
          for (let i = 0; i < N; i++) await toThread(squareWork, i);
          return (performance.now() - t0) / 1000;
        },
    );
    line({
      bench: "to_thread",
      impl: `ours-${form}`,
      n: N,
      seconds: s,
      us: s / N * 1e6,
    });
  }
}

async function fibPool(
  kind: "thread" | "process",
  workers: number,
): Promise<number> {
  return await run(function* () {
    const pool = kind === "thread"
      ? new ThreadPoolExecutor({ maxWorkers: workers })
      : new ProcessPoolExecutor({ maxWorkers: workers });
    try {
      // Start every worker first: the timed region is the jobs.
      yield* gather(
        ...Array.from({ length: workers }, () => pool.submit(fibWork, 1)),
      );
      const t0 = performance.now();
      yield* gather(
        ...Array.from({ length: JOBS }, () => pool.submit(fibWork, FIB)),
      );
      return (performance.now() - t0) / 1000;
    } finally {
      yield* pool.shutdown();
    }
  });
}

if (ONLY === null || ONLY === "to_thread") {
  await bareWorker();
  await toThreadBench();
}
for (const kind of ONLY === "to_thread" ? [] : ["thread", "process"] as const) {
  const one = await fibPool(kind, 1);
  const two = await fibPool(kind, 2);
  line({
    bench: "fib_pool",
    impl: `ours-${kind}`,
    n: JOBS,
    seconds1: one,
    seconds2: two,
    speedup: one / two,
  });
}
