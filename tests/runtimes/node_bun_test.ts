import assert from "node:assert/strict";
import { bundle, run } from "./_bundle.ts";

// The smoke program, bundled once for Node and Bun (see _bundle.ts).
async function smoke(cmd: string, args: string[], runtime: string) {
  const out = await bundle("tests/runtimes/smoke.ts", "smoke");
  const r = await run(cmd, [...args, out]);
  assert.equal(r.code, 0, `${runtime} failed:\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout.trim()), {
    runtime,
    seen: ["errno", "pointer", "selector", "loop"],
    selector: "poll",
  });
}

const linux = Deno.build.os === "linux";

Deno.test({
  name: "smoke.ts bundle runs under Node (koffi backend)",
  ignore: !linux,
  fn: () => smoke("node", [], "node"),
});

Deno.test({
  name: "smoke.ts bundle runs under Bun (bun:ffi backend)",
  ignore: !linux,
  fn: () => smoke("npx", ["bun"], "bun"),
});
