// A consumer of the installed package's executors: work named by this
// project's module URL runs in a thread (toThread, and a ThreadPoolExecutor
// running a generator function) and in a child process of the same runtime
// (ProcessPoolExecutor); prints one JSON line.
import {
  ProcessPoolExecutor,
  run,
  ThreadPoolExecutor,
  toThread,
  work,
} from "@seed/asyncio";

const here = new URL("./work.mjs", import.meta.url);
const result = await run(async () => {
  const sum = await toThread(work(here, "add"), 2, 3);
  const threads = new ThreadPoolExecutor({ maxWorkers: 1 });
  const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
  try {
    return {
      sum,
      doubled: await threads.submit(work(here, "twice"), 21),
      inChild: await processes.submit(work(here, "add"), 40, 2),
    };
  } finally {
    await threads.shutdown();
    await processes.shutdown();
  }
});
console.log(JSON.stringify(result));
