/**
 * A program whose executor jobs are done: it must exit by itself (run()
 * shuts the default executor down; the user pool is disposed).
 *
 * @module
 */

import { run, ThreadPoolExecutor, toThread } from "../../mod.ts";
import { addWork, fibWork } from "./_work.ts";

const r = await run(async () => {
  await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const a = pool.submit(fibWork, 20);
  const b = await toThread(addWork, 1, 2);
  return (await a) + b;
});
console.log(r);
