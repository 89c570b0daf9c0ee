/**
 * The bank with executors: now the back office is work that would block
 * the loop — a CPU-bound computation (`fib`) and a blocking call (a thread
 * blocked 50 ms). Run on the loop, either would stop every other customer;
 * moved into a `ThreadPoolExecutor` (the blocking call) and a
 * `ProcessPoolExecutor` (the computation), they run elsewhere while the
 * loop keeps serving: a clerk task greets customers every 5 ms throughout.
 *
 * Run: `npx deno run --allow-ffi --allow-read examples/bank_executors.ts`
 * (the process pool's children get `--allow-all`: see ProcessPoolExecutor).
 *
 * @module
 */

import {
  type Coro,
  createTask,
  gather,
  ProcessPoolExecutor,
  run,
  sleep,
  ThreadPoolExecutor,
} from "../mod.ts";
import { blockingSleepWork, fibWork } from "./_work.ts";
import { CUSTOMERS } from "./_bank.ts";

const FIB_N = 27;

await run(function* (): Coro<void> {
  using threads = new ThreadPoolExecutor({ maxWorkers: CUSTOMERS });
  using processes = new ProcessPoolExecutor({ maxWorkers: 2 });

  // The loop's own work while the back office runs elsewhere.
  let greetings = 0;
  let open = true;
  const clerk = createTask(function* () {
    while (open) {
      greetings++;
      yield* sleep(0.005);
    }
  });

  // Threads start lazily (15-40 ms each, partly on this thread): open the
  // counters first, as a bank opens before the customers come.
  let t0 = performance.now();
  yield* gather(
    ...Array.from({ length: CUSTOMERS }, () => threads.submit(fibWork, 1)),
  );
  console.log(
    `thread pool: ${CUSTOMERS} threads started in ${
      (performance.now() - t0).toFixed(0)
    } ms`,
  );
  greetings = 0;
  t0 = performance.now();
  yield* gather(
    ...Array.from(
      { length: CUSTOMERS },
      () => threads.submit(blockingSleepWork, 50),
    ),
  );
  const blockingMs = performance.now() - t0;
  const g1 = greetings;
  console.log(
    `thread pool: ${CUSTOMERS} blocking 50 ms calls in ${
      blockingMs.toFixed(0)
    } ms; meanwhile the clerk greeted ${g1} times`,
  );

  t0 = performance.now();
  const sums = yield* gather(
    ...Array.from({ length: 4 }, () => processes.submit(fibWork, FIB_N)),
  );
  console.log(
    `process pool: 4 x fib(${FIB_N}) = ${sums[0]} in ${
      (performance.now() - t0).toFixed(0)
    } ms (2 children, incl. their start); meanwhile the clerk greeted ${
      greetings - g1
    } times`,
  );
  open = false;
  yield* clerk;
});
