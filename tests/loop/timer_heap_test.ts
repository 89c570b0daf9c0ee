/**
 * The loop's timer queue (loop/_timer_heap.ts): a heap of up to 256
 * timers and the earliest millisecond buckets, unsorted buckets for the
 * rest. Whatever the mix
 * of pushes, pops and filters, it must give timers in deadline order and
 * equal deadlines in scheduling order, as one sorted list would.
 */

import assert from "node:assert/strict";
import { TimerHeap } from "../../loop/_timer_heap.ts";
import { NO_ARGS, TimerHandle } from "../../loop/handles.ts";

let seq = 0;

// Real handles, with the test's own count of the push order (the queue
// numbers handles itself, in the same order) for the expected result.
class Fake extends TimerHandle {
  readonly seq = seq++;
}

function timer(when: number): Fake {
  return new Fake(when, () => {}, NO_ARGS);
}

function earlier(a: Fake, b: Fake): number {
  return a.when() - b.when() || a.seq - b.seq;
}

/** A seeded generator in [0, 1) (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function drain(q: TimerHeap): Fake[] {
  const out: Fake[] = [];
  for (let h = q.pop(); h !== undefined; h = q.pop()) out.push(h as never);
  return out;
}

Deno.test("TimerHeap pops timers set at once in deadline order, equal deadlines first set first", () => {
  const rnd = random(1);
  const q = new TimerHeap();
  const all: Fake[] = [];
  for (let i = 0; i < 20_000; i++) {
    // Over 50 ms, every fifth deadline shared with an earlier timer.
    const when = i % 5 === 4 && i > 0
      ? all[Math.floor(rnd() * all.length)].when()
      : 100 + rnd() * 0.05;
    const h = timer(when);
    all.push(h as never);
    q.push(h);
  }
  assert.equal(q.size, 20_000);
  assert.deepEqual(drain(q), [...all].sort(earlier));
  assert.equal(q.size, 0);
});

Deno.test("TimerHeap orders timers bucketed after others were pulled into the heap", () => {
  const q = new TimerHeap();
  // Fill the heap (256 timers), so the next ones are bucketed.
  const fill = Array.from({ length: 256 }, (_, i) => timer(2 + i * 1e-6));
  for (const h of fill) q.push(h);
  const a = timer(1.0001), a2 = timer(1.0008), b = timer(1.5);
  q.push(a);
  q.push(a2);
  q.push(b);
  assert.equal(q.pop(), a); // pulls a's millisecond into the heap; a2 stays
  const c = timer(1.0003); // bucketed, in the millisecond of a2, before it
  const d = timer(0.5); // bucketed, in an earlier millisecond
  const e = timer(1.2); // bucketed, in a later millisecond
  q.push(c);
  q.push(d);
  q.push(e);
  assert.equal(q.size, 256 + 5);
  assert.equal(q.peekWhen(), 0.5);
  assert.deepEqual(drain(q), [d, c, a2, e, b, ...fill]);
});

Deno.test("TimerHeap keeps scheduling order for a deadline whose bucket is pending while the heap has room", () => {
  const q = new TimerHeap();
  // Fill the heap with earlier timers, so the next one is bucketed.
  const fill = Array.from({ length: 256 }, (_, i) => timer(1 + i * 1e-6));
  for (const h of fill) q.push(h);
  const b1 = timer(2);
  q.push(b1); // bucketed
  assert.equal(q.pop(), fill[0]); // the heap has room again
  const b2 = timer(2); // joins b1's bucket: it must stay after b1
  const c = timer(2.5); // no bucket to join: straight into the heap
  q.push(b2);
  q.push(c);
  assert.deepEqual(drain(q), [...fill.slice(1), b1, b2, c]);
});

Deno.test("TimerHeap orders bucketed timers seconds before and after the first one", () => {
  const q = new TimerHeap();
  const fill = Array.from({ length: 256 }, (_, i) => timer(1 + i * 1e-6));
  for (const h of fill) q.push(h);
  // The first bucketed timer sets the origin of the bucket indices; these
  // lie 5 s before it, 10 s after it, and in between.
  const x = timer(10), y = timer(5), z = timer(20), w = timer(10.5);
  const y2 = timer(5);
  for (const h of [x, y, z, w, y2]) q.push(h);
  assert.deepEqual(drain(q), [...fill, y, y2, x, w, z]);
});

Deno.test("TimerHeap.hold() keeps handles pushed since out of the queue until release()", () => {
  const q = new TimerHeap();
  const a = timer(2), b = timer(1), c = timer(1);
  q.push(a);
  q.hold();
  q.push(b);
  q.push(c);
  assert.equal(q.size, 3);
  assert.equal(q.peek(), a);
  assert.equal(q.popDue(5), a);
  assert.equal(q.popDue(5), undefined);
  q.release();
  assert.equal(q.popDue(0.5), undefined);
  assert.deepEqual(drain(q), [b, c]);
});

Deno.test("TimerHeap matches a sorted list under random pushes, pops and filters", () => {
  const rnd = random(7);
  const q = new TimerHeap();
  let model: Fake[] = [];
  let now = 10;
  for (let step = 0; step < 20_000; step++) {
    const r = rnd();
    if (r < 0.55) {
      // Mostly near deadlines, some far ones, some equal to a queued one.
      const when = model.length > 0 && r < 0.1
        ? model[Math.floor(rnd() * model.length)].when()
        : now + (rnd() < 0.9 ? rnd() * 0.02 : rnd() * 5);
      const h = timer(when);
      q.push(h);
      model.push(h as never);
    } else if (r < 0.6) {
      // Pushes while held wait; popDue() leaves what is not due.
      q.hold();
      const h = timer(now + rnd() * 0.01);
      q.push(h);
      assert.equal(q.size, model.length + 1);
      q.release();
      model.push(h as never);
      model.sort(earlier);
      assert.equal(
        q.popDue(now - 1),
        model[0].when() <= now - 1 ? model.shift() : undefined,
      );
    } else if (r < 0.97) {
      model.sort(earlier);
      const want = model.shift();
      assert.equal(q.peek(), want);
      assert.equal(q.peekWhen(), want?.when() ?? Infinity);
      assert.equal(q.pop(), want);
      if (want !== undefined) now = want.when();
    } else {
      // Drop about a third, as cancellation compaction does.
      q.filter((h) => !((h as unknown as Fake).seq % 3 === 0));
      model = model.filter((h) => !(h.seq % 3 === 0));
    }
    assert.equal(q.size, model.length);
  }
  assert.deepEqual(drain(q), model.sort(earlier));
});

Deno.test("TimerHeap.clear() empties both levels", () => {
  const q = new TimerHeap();
  for (let i = 0; i < 100; i++) q.push(timer(i * 0.01));
  for (let i = 0; i < 300; i++) q.push(timer(5 + i * 0.01)); // bucketed
  q.pop(); // pulls the first bucket into the heap
  q.clear();
  assert.equal(q.size, 0);
  assert.equal(q.peek(), undefined);
  assert.equal(q.peekWhen(), Infinity);
  const h = timer(0);
  q.push(h); // a cleared queue starts over: any deadline is accepted
  assert.equal(q.pop(), h);
});
