import assert from "node:assert/strict";
import {
  keepReceived,
  keepTarget,
  receiveTarget,
  receiveTargetLen,
} from "../../net/_received.ts";

Deno.test("keepReceived: the copy keeps its bytes after the source is reused", () => {
  const src = new Uint8Array(256);
  src.fill(7, 0, 10);
  const a = keepReceived(src, 10);
  src.fill(9);
  const b = keepReceived(src, 5);
  src.fill(0);
  assert.deepEqual(a, new Uint8Array(10).fill(7));
  assert.deepEqual(b, new Uint8Array(5).fill(9));
});

Deno.test("keepReceived: copies of small reads never overlap", () => {
  const src = new Uint8Array(4096);
  const got: Uint8Array[] = [];
  // Enough reads to fill several slabs.
  for (let i = 0; i < 200; i++) {
    src.fill(i & 0xff, 0, 1000 + i);
    got.push(keepReceived(src, 1000 + i));
  }
  for (let i = 0; i < got.length; i++) {
    assert.equal(got[i].length, 1000 + i);
    assert.ok(
      got[i].every((x) => x === (i & 0xff)),
      `read ${i} was overwritten`,
    );
  }
  // Writing into one copy leaves every other copy as it was.
  got[0].fill(0xee);
  for (let i = 1; i < got.length; i++) {
    assert.ok(got[i].every((x) => x === (i & 0xff)));
  }
});

Deno.test("keepReceived: a large read gets a buffer of its own", () => {
  const src = new Uint8Array(100_000).fill(3);
  const out = keepReceived(src, 80_000);
  assert.equal(out.length, 80_000);
  assert.equal(out.byteOffset, 0);
  assert.equal(out.buffer.byteLength, 80_000);
  assert.ok(out.every((x) => x === 3));
});

Deno.test("keepReceived: a read of the whole source is copied, not aliased", () => {
  const src = new Uint8Array([1, 2, 3]);
  const out = keepReceived(src, 3);
  src[0] = 9;
  assert.deepEqual(out, new Uint8Array([1, 2, 3]));
});

// A receive as the transports do it: into receiveTarget(), then keepTarget().
function receive(most: number, n: number, fill: number): Uint8Array {
  const target = receiveTarget(most);
  assert.ok(target.length <= most, "the target respects the most asked for");
  assert.ok(target.length >= n, "the test's read fits the target");
  assert.equal(receiveTargetLen(), BigInt(target.length));
  target.fill(fill, 0, n);
  return keepTarget(n);
}

Deno.test("keepTarget: a large read is handed out in place and never received into again", () => {
  const got: Uint8Array[] = [];
  // Enough large reads to go through several receive slabs.
  for (let i = 0; i < 40; i++) got.push(receive(256 * 1024, 20_000 + i, i));
  for (let i = 0; i < got.length; i++) {
    assert.equal(got[i].length, 20_000 + i);
    assert.ok(got[i].every((x) => x === i), `read ${i} was overwritten`);
  }
});

Deno.test("keepTarget: a small read is copied, and its place is received into again", () => {
  const first = receiveTarget(64 * 1024);
  const small = receive(64 * 1024, 100, 1);
  const next = receiveTarget(64 * 1024);
  assert.equal(next.byteOffset, first.byteOffset, "the same place again");
  assert.notEqual(small.buffer, next.buffer, "the small read is a copy");
  next.fill(2);
  assert.ok(small.every((x) => x === 1));
});

Deno.test("receiveTarget: at most the size asked for, at least one byte", () => {
  assert.equal(receiveTarget(10).length, 10);
  assert.equal(receiveTarget(0).length, 1);
  assert.ok(receiveTarget(1 << 30).length <= 256 * 1024);
});

Deno.test("receiveTarget: a short tail is left for a new slab, so a receive is never tiny", () => {
  for (let i = 0; i < 50; i++) {
    const t = receiveTarget(256 * 1024);
    assert.ok(t.length >= 32 * 1024, `target ${i}: ${t.length} bytes`);
    receive(256 * 1024, Math.min(t.length, 50_000), 7);
  }
});
