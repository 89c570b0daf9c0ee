import assert from "node:assert/strict";
import { LifoQueue, QueueFull, run, sleep } from "../../mod.ts";
import { awaitIn, FORMS, virtual } from "./_forms.ts";

Deno.test("LifoQueue returns the newest item first", () => {
  const q = new LifoQueue<number>();
  [1, 2, 3].forEach((i) => q.putNowait(i));
  assert.deepEqual([q.getNowait(), q.getNowait(), q.getNowait()], [3, 2, 1]);
});

Deno.test("LifoQueue with a maxsize is bounded", () => {
  const q = new LifoQueue<number>(2);
  q.putNowait(1);
  q.putNowait(2);
  assert.ok(q.full());
  assert.throws(() => q.putNowait(3), QueueFull);
  assert.equal(q.getNowait(), 2);
});

for (const form of FORMS) {
  Deno.test(`LifoQueue.get() cancelled after an item was handed to it puts it back under newer items (${form})`, async () => {
    await run(function* () {
      const q = new LifoQueue<string>();
      const getter = awaitIn(form, () => q.get());
      yield* sleep(1);
      q.putNowait("handed");
      getter.cancel();
      q.putNowait("newer");
      yield* sleep(1);
      assert.ok(getter.cancelled());
      assert.equal(q.qsize(), 2);
      assert.equal(q.getNowait(), "newer");
      assert.equal(q.getNowait(), "handed");
    }, virtual);
  });
}
