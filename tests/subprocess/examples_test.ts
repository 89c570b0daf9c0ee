import assert from "node:assert/strict";
import process from "node:process";
import { hostProgram, signalWhenReady } from "./_helpers.ts";

// examples/ are Deno programs (Deno.args, Deno.pid, import.meta.main,
// `deno eval`): Node and Bun do not run them.
const ignore = !("deno" in process.versions);

const example = (name: string) =>
  new URL(`../../examples/${name}`, import.meta.url);

for (const sig of ["SIGTERM", "SIGINT"]) {
  Deno.test(
    `examples/graceful_shutdown.ts closes its server and runs finally blocks on ${sig}`,
    { ignore },
    () => {
      const { lines, code } = signalWhenReady(
        hostProgram(example("graceful_shutdown.ts"), ["--allow-ffi"]),
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
    },
  );
}

Deno.test("examples/subprocess.ts prints what asyncio's documentation shows", {
  ignore,
}, () => {
  const { lines, code } = signalWhenReady(
    hostProgram(example("subprocess.ts"), ["--allow-ffi", "--allow-read"]),
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
