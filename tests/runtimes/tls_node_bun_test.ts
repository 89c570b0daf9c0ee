import assert from "node:assert/strict";
import { bundle, run } from "./_bundle.ts";

// The TLS smoke program (tls_smoke.ts), bundled once for Node and Bun:
// libssl through koffi and bun:ffi, callbacks, typed verification errors,
// a TLS echo over loopback (libssl, then the node:tls fallback), no native
// object or fd left.
async function smoke(cmd: string, args: string[], runtime: string) {
  const out = await bundle("tests/runtimes/tls_smoke.ts", "tls_smoke");
  const r = await run(cmd, [...args, out], "epoll");
  assert.equal(r.code, 0, `${runtime} failed:\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout.trim()), {
    runtime,
    seen: ["handshake", "verification", "echo", "fallback", "freed"],
  });
}

const linux = Deno.build.os === "linux";

Deno.test({
  name: "tls_smoke.ts bundle runs TLS under Node (libssl through koffi)",
  ignore: !linux,
  fn: () => smoke("node", [], "node"),
});

Deno.test({
  name: "tls_smoke.ts bundle runs TLS under Bun (libssl through bun:ffi)",
  ignore: !linux,
  fn: () => smoke("npx", ["bun"], "bun"),
});
