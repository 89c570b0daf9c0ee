/**
 * The demo's executor part: a blocking call and a CPU-bound function run
 * in a `ThreadPoolExecutor` (`toThread`, `runInExecutor`) while a task on
 * the loop keeps ticking; a 16 MiB buffer moved to a thread and summed
 * there (`transfer`); and a pool thread running a coroutine back on our
 * loop (`LoopPort`, `runCoroutineThreadsafe`).
 *
 * @module
 */

import {
  createTask,
  gather,
  getRunningLoop,
  LoopPort,
  run,
  sleep,
  ThreadPoolExecutor,
  toThread,
  transfer,
} from "../mod.ts";
import { blockingSleepWork, byteSumWork, fibWork } from "./_work.ts";
import { askLoopWork } from "./_remote_work.ts";

/** Run the executor demo. */
export async function executorDemo(): Promise<void> {
  await run(function* () {
    let ticks = 0;
    let done = false;
    const ticker = createTask(function* () {
      while (!done) {
        ticks++;
        yield* sleep(0.01);
      }
    });
    using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const t0 = performance.now();
    const [slept, f] = yield* gather(
      toThread(blockingSleepWork, 100),
      getRunningLoop().runInExecutor(pool, fibWork, 30),
    );
    done = true;
    yield* ticker;
    console.log(
      `  a blocking ${slept} ms call and fib(30) = ${f} ran on threads in ${
        (performance.now() - t0).toFixed(0)
      } ms; the loop ticked ${ticks} times meanwhile`,
    );
  });
}

/** Move a buffer to a thread, and call back into the loop from one. */
export async function crossingDemo(): Promise<void> {
  await run(function* () {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const bytes = new Uint8Array(16 << 20).fill(1);
    const t0 = performance.now();
    const sum = yield* pool.submit(byteSumWork, transfer(bytes));
    console.log(
      `  16 MiB moved to a thread and summed there (${sum}) in ${
        (performance.now() - t0).toFixed(1)
      } ms; left here: ${bytes.byteLength} bytes (detached, not copied)`,
    );
    using port = new LoopPort();
    const five = yield* pool.submit(
      askLoopWork,
      transfer(port.remote, [port.remote.port]),
    );
    console.log(
      `  a pool thread ran addLater(2, 3) on our loop through a LoopPort: ${five}`,
    );
  });
}
