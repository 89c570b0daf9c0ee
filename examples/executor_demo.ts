/**
 * The demo's executor part: a blocking call and a CPU-bound function run
 * in a `ThreadPoolExecutor` (`toThread`, `runInExecutor`) while a task on
 * the loop keeps ticking.
 *
 * @module
 */

import {
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  ThreadPoolExecutor,
  toThread,
} from "../mod.ts";
import { blockingSleepWork, fibWork } from "./_work.ts";

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
