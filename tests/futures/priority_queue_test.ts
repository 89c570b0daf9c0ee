import assert from "node:assert/strict";
import { PriorityQueue } from "../../mod.ts";

Deno.test("PriorityQueue orders [priority, item] pairs like Python tuples", () => {
  const q = new PriorityQueue<[number, string]>();
  q.putNowait([2, "b"]);
  q.putNowait([1, "z"]);
  q.putNowait([1, "a"]);
  assert.deepEqual(
    [q.getNowait(), q.getNowait(), q.getNowait()],
    [[1, "a"], [1, "z"], [2, "b"]],
  );
});

Deno.test("PriorityQueue keeps insertion order for equal priorities", () => {
  const q = new PriorityQueue<{ p: number; name: string }>(0, {
    compare: (a, b) => a.p - b.p,
  });
  for (const name of ["first", "second", "third"]) q.putNowait({ p: 1, name });
  q.putNowait({ p: 0, name: "urgent" });
  const names = [];
  while (!q.empty()) names.push(q.getNowait().name);
  assert.deepEqual(names, ["urgent", "first", "second", "third"]);
});

Deno.test("PriorityQueue without a compare rejects unorderable items and keeps the rest", () => {
  const q = new PriorityQueue<unknown>();
  q.putNowait(1);
  assert.throws(() => q.putNowait({}), TypeError);
  assert.equal(q.qsize(), 1);
});
