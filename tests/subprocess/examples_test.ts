import assert from "node:assert/strict";
import { signalWhenReady } from "./_helpers.ts";

const example = (name: string) =>
  new URL(`../../examples/${name}`, import.meta.url).pathname;

for (const sig of ["SIGTERM", "SIGINT"]) {
  Deno.test(`examples/graceful_shutdown.ts closes its server and runs finally blocks on ${sig}`, () => {
    const { lines, code } = signalWhenReady(
      [Deno.execPath(), "run", "--allow-ffi", example("graceful_shutdown.ts")],
      "serving on",
      sig,
    );
    assert.match(lines[0], /^pid \d+ serving on 127\.0\.0\.1:\d+$/);
    assert.deepEqual(lines.slice(1), [
      `got ${sig}, shutting down`,
      "server closed",
      "bye",
    ]);
    assert.equal(code, 0);
  });
}
