import assert from "node:assert/strict";
import { LifoQueue } from "../../mod.ts";

Deno.test("LifoQueue returns the newest item first", () => {
  const q = new LifoQueue<number>();
  [1, 2, 3].forEach((i) => q.putNowait(i));
  assert.deepEqual([q.getNowait(), q.getNowait(), q.getNowait()], [3, 2, 1]);
});
