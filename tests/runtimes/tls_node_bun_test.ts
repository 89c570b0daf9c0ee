import assert from "node:assert/strict";

// The TLS smoke program (tls_smoke.ts), bundled once for Node and Bun:
// libssl through koffi and bun:ffi, callbacks, typed verification errors,
// a TLS echo over loopback (libssl, then the node:tls fallback), no native
// object or fd left. esbuild (a
// subprocess) writes it under node_modules/.cache, as node_bun_test.ts does.
const root = new URL("../../", import.meta.url).pathname;
const out = `${root}node_modules/.cache/asyncio-runtimes/tls_smoke.mjs`;

async function run(
  cmd: string,
  args: string[],
  selector = "poll",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { ASYNCIO_SELECTOR: selector },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return {
    code: r.code,
    stdout: dec.decode(r.stdout),
    stderr: dec.decode(r.stderr),
  };
}

let built: Promise<void> | null = null;

function bundle(): Promise<void> {
  return built ??= (async () => {
    const r = await run("npx", [
      "esbuild",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--external:koffi",
      "--external:bun:ffi",
      "--log-level=warning",
      `--outfile=${out}`,
      "tests/runtimes/tls_smoke.ts",
    ]);
    assert.equal(r.code, 0, `esbuild failed:\n${r.stderr}`);
  })();
}

async function smoke(
  cmd: string,
  args: string[],
  runtime: string,
  selector: string,
) {
  await bundle();
  const r = await run(cmd, [...args, out], selector);
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
  fn: () => smoke("node", [], "node", "epoll"),
});

Deno.test({
  name: "tls_smoke.ts bundle runs TLS under Bun (libssl through bun:ffi)",
  ignore: !linux,
  fn: () => smoke("npx", ["bun"], "bun", "epoll"),
});
