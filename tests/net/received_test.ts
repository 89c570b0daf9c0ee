import assert from "node:assert/strict";
import { keepReceived } from "../../net/_received.ts";

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
