import assert from "node:assert/strict";
import { monotonic } from "../../poll/mod.ts";

Deno.test("monotonic() never goes backwards", () => {
  let prev = monotonic();
  for (let i = 0; i < 10000; i++) {
    const t = monotonic();
    assert.ok(t >= prev);
    prev = t;
  }
});

Deno.test("monotonic() advances in seconds, like performance.now() / 1000", async () => {
  const a = monotonic(), pa = performance.now();
  await new Promise((r) => setTimeout(r, 20));
  const b = monotonic(), pb = performance.now();
  // Same interval on both clocks, within a generous millisecond.
  assert.ok(Math.abs((b - a) - (pb - pa) / 1000) < 0.001);
});
