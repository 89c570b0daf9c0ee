// A consumer of the installed package's executors: work named by this
// project's module URL runs in a thread (toThread, and a ThreadPoolExecutor
// running a generator function); prints one JSON line.
import { run, ThreadPoolExecutor, toThread, work } from "@seed/asyncio";

const here = new URL("./work.mjs", import.meta.url);
const result = await run(async () => {
  const sum = await toThread(work(here, "add"), 2, 3);
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    return { sum, doubled: await pool.submit(work(here, "twice"), 21) };
  } finally {
    await pool.shutdown();
  }
});
console.log(JSON.stringify(result));
