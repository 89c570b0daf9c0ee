import assert from "node:assert/strict";

// The smoke program, bundled once for Node and Bun. esbuild (a subprocess)
// writes it under node_modules/.cache: no --allow-write for the test, and
// `koffi` resolves from there as from any file of the project.
const root = new URL("../../", import.meta.url).pathname;
const out = `${root}node_modules/.cache/asyncio-runtimes/smoke.mjs`;

async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { ASYNCIO_SELECTOR: "poll" },
    // A starved host would hang the smoke program: fail instead.
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
      "tests/runtimes/smoke.ts",
    ]);
    assert.equal(r.code, 0, `esbuild failed:\n${r.stderr}`);
  })();
}

async function smoke(cmd: string, args: string[], runtime: string) {
  await bundle();
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
