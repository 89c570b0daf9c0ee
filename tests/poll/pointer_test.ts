import assert from "node:assert/strict";
import {
  addressOf,
  addressOfPointer,
  cStringAt,
  pointerAt,
  pointerFrom,
  viewAt,
} from "../../poll/_pointer.ts";
import { libc } from "../../poll/_libc.ts";

Deno.test("viewAt() sees a buffer's bytes through its address", () => {
  const buf = new Uint8Array([10, 20, 30, 40]);
  const p = pointerFrom(addressOf(buf));
  const view = new Uint8Array(viewAt(p, 2, 1));
  assert.deepEqual(view, new Uint8Array([20, 30]));
  view[0] = 99; // a view, not a copy
  assert.equal(buf[1], 99);
});

Deno.test("pointerAt() reads a stored pointer, null for NULL", () => {
  const target = new Uint8Array([5]);
  const cells = new BigUint64Array([addressOf(target), 0n]);
  const cellsPtr = pointerFrom(addressOf(cells));
  assert.equal(addressOfPointer(pointerAt(cellsPtr)), addressOf(target));
  assert.equal(pointerAt(cellsPtr, 8), null);
});

Deno.test("pointerFrom(0n) is NULL and its address is 0n", () => {
  assert.equal(pointerFrom(0n), null);
  assert.equal(addressOfPointer(null), 0n);
});

Deno.test("cStringAt() decodes a C string up to its NUL", () => {
  const bytes = new TextEncoder().encode("héllo\0junk");
  assert.equal(cStringAt(pointerFrom(addressOf(bytes))), "héllo");
  // And one owned by libc.
  assert.ok(cStringAt(libc().gai_strerror(-2)).length > 0);
});
