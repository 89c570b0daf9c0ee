import assert from "node:assert/strict";
import { naturalOrder, PriorityQueue, run, sleep } from "../../mod.ts";
import { awaitIn, FORMS, virtual } from "./_forms.ts";

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

Deno.test("PriorityQueue orders by a compare option", () => {
  const q = new PriorityQueue<string>(0, {
    compare: (a, b) => b.length - a.length,
  });
  for (const s of ["a", "ccc", "bb"]) q.putNowait(s);
  assert.deepEqual([q.getNowait(), q.getNowait(), q.getNowait()], [
    "ccc",
    "bb",
    "a",
  ]);
});

Deno.test("PriorityQueue keeps insertion order for equal priorities", () => {
  const q = new PriorityQueue<{ p: number; name: string }>(0, {
    compare: (a, b) => a.p - b.p,
  });
  const names = Array.from({ length: 50 }, (_, i) => `n${i}`);
  for (const name of names) q.putNowait({ p: 1, name });
  q.putNowait({ p: 0, name: "urgent" });
  const out = [];
  while (!q.empty()) out.push(q.getNowait().name);
  assert.deepEqual(out, ["urgent", ...names]);
});

Deno.test("PriorityQueue matches a sorted list under random puts and gets", () => {
  let seed = 1;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const q = new PriorityQueue<[number, number]>(0, {
    compare: (a, b) => a[0] - b[0],
  });
  const ref: [number, number][] = [];
  for (let i = 0; i < 5000; i++) {
    if (rand() < 0.6 || ref.length === 0) {
      const item: [number, number] = [Math.floor(rand() * 10), i];
      q.putNowait(item);
      ref.push(item);
    } else {
      ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.equal(q.getNowait(), ref.shift());
    }
  }
});

Deno.test("PriorityQueue without a compare rejects unorderable items and keeps the rest", () => {
  const q = new PriorityQueue<unknown>();
  assert.throws(() => q.putNowait({}), TypeError); // even as the first item
  q.putNowait(1);
  assert.throws(
    () => q.putNowait({}),
    (err: unknown) =>
      err instanceof TypeError &&
      /^Cannot order .*: pass a compare function to PriorityQueue$/.test(
        err.message,
      ),
  );
  assert.equal(q.qsize(), 1);
  assert.equal(q.getNowait(), 1);
});

Deno.test("PriorityQueue with a throwing compare loses and reorders nothing", () => {
  let bomb = false;
  const q = new PriorityQueue<number>(0, {
    compare: (a, b) => {
      if (bomb) throw new Error("bomb");
      return a - b;
    },
  });
  for (const x of [5, 3, 8, 1, 9, 2, 7]) q.putNowait(x);
  bomb = true;
  assert.throws(() => q.getNowait(), /bomb/);
  assert.throws(() => q.putNowait(0), /bomb/);
  bomb = false;
  const out = [];
  while (!q.empty()) out.push(q.getNowait());
  assert.deepEqual(out, [1, 2, 3, 5, 7, 8, 9]);
});

Deno.test("naturalOrder() compares numbers, strings, bigints and arrays", () => {
  assert.ok(naturalOrder(1, 2) < 0);
  assert.ok(naturalOrder("b", "a") > 0);
  assert.equal(naturalOrder(3n, 3n), 0);
  assert.ok(naturalOrder([1, 2], [1, 2, 0]) < 0);
  assert.throws(() => naturalOrder(1, "1"), TypeError);
});

for (const form of FORMS) {
  Deno.test(`PriorityQueue.get() waits, then gets an item put later (${form})`, async () => {
    await run(function* () {
      const q = new PriorityQueue<number>();
      const getter = awaitIn(form, () => q.get());
      yield* sleep(1);
      q.putNowait(5);
      assert.equal(yield* getter, 5);
    }, virtual);
  });

  Deno.test(`PriorityQueue.get() cancelled after an item was handed to it keeps its place among equals (${form})`, async () => {
    await run(function* () {
      const q = new PriorityQueue<[number, string]>(0, {
        compare: (a, b) => a[0] - b[0],
      });
      const getter = awaitIn(form, () => q.get());
      yield* sleep(1);
      q.putNowait([1, "first"]); // handed to the getter
      getter.cancel();
      q.putNowait([1, "second"]);
      yield* sleep(1);
      assert.ok(getter.cancelled());
      assert.deepEqual(q.getNowait(), [1, "first"]);
      assert.deepEqual(q.getNowait(), [1, "second"]);
    }, virtual);
  });
}
