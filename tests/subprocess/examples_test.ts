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

Deno.test("examples/subprocess.ts prints what asyncio's documentation shows", () => {
  const { lines, code } = signalWhenReady(
    [
      Deno.execPath(),
      "run",
      "--allow-ffi",
      "--allow-read",
      example("subprocess.ts"),
    ],
    null,
    "SIGTERM",
  );
  assert.equal(code, 0);
  const text = lines.join("\n");
  assert.match(
    text,
    /^\["ls \/zzz" exited with 2\]\n\[stderr\]\nls: .*\/zzz.*\n/,
  );
  assert.match(
    text,
    /\["sleep 1; echo \\"hello\\"" exited with 0\]\n\[stdout\]\nhello\n/,
  );
  assert.match(lines.at(-1)!, /^Current date: \d{4}-\d\d-\d\dT/);
});
