import assert from "node:assert/strict";

// The executors smoke program bundled for Node and Bun, with what a pool
// starts by URL next to it (see executors/_host.ts): the thread entry as
// `_worker.js`, the process entry as `_child.js`, and the work module as
// `exec_work.mjs`. esbuild (a subprocess) writes them under
// node_modules/.cache: no --allow-write for the test, and `koffi`
// resolves from there as from any file of the project. node_modules may
// be shared by several checkouts: each writes under its own folder.
const root = new URL("../../", import.meta.url).pathname;
const dir = `${root}node_modules/.cache/asyncio-executors/${
  root.replace(/[^A-Za-z0-9]+/g, "_")
}`;
const ENTRIES: [string, string][] = [
  ["tests/runtimes/executors_smoke.ts", "executors_smoke.mjs"],
  ["tests/runtimes/_exec_work.ts", "exec_work.mjs"],
  ["executors/_worker_bundle.ts", "_worker.js"],
  ["executors/_child.ts", "_child.js"],
];

async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    // A starved host or a lost reply would hang the program: fail instead.
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
    for (const [src, out] of ENTRIES) {
      const r = await run("npx", [
        "esbuild",
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--external:koffi",
        "--external:bun:ffi",
        "--log-level=warning",
        `--outfile=${dir}/${out}`,
        src,
      ]);
      assert.equal(r.code, 0, `esbuild of ${src} failed:\n${r.stderr}`);
    }
  })();
}

async function smoke(cmd: string, args: string[], runtime: string) {
  await bundle();
  const r = await run(cmd, [...args, `${dir}/executors_smoke.mjs`]);
  assert.equal(r.code, 0, `${runtime} failed:\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout.trim()), {
    runtime,
    seen: ["toThread", "map", "process", "error", "transfer", "fds"],
  });
}

const linux = Deno.build.os === "linux";

Deno.test({
  name:
    "executors on Node: toThread, a thread pool map, a process pool, an error's type, transfer, no fd left",
  ignore: !linux,
  fn: () => smoke("node", [], "node"),
});

Deno.test({
  name:
    "executors on Bun: toThread, a thread pool map, a process pool, an error's type, transfer, no fd left",
  ignore: !linux,
  fn: () => smoke("npx", ["bun"], "bun"),
});
