import assert from "node:assert/strict";

// The smoke programs, bundled once each for Node and Bun. esbuild (a
// subprocess) writes them under node_modules/.cache: no --allow-write for
// the test, and `koffi` resolves from there as from any file of the
// project. node_modules may be shared by several checkouts: each writes
// under its own folder, named for its path.
const root = new URL("../../", import.meta.url).pathname;
const cache = `${root}node_modules/.cache/asyncio-runtimes/${
  root.replace(/[^A-Za-z0-9]+/g, "_")
}`;

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

const built = new Map<string, Promise<string>>();

/** Bundle `tests/runtimes/<name>.ts`; resolves to the bundle's path. */
function bundle(name: string): Promise<string> {
  let p = built.get(name);
  if (p === undefined) {
    const out = `${cache}/${name}.mjs`;
    p = (async () => {
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
        `tests/runtimes/${name}.ts`,
      ]);
      assert.equal(r.code, 0, `esbuild failed:\n${r.stderr}`);
      return out;
    })();
    built.set(name, p);
  }
  return p;
}

async function runBundle(
  name: string,
  cmd: string,
  args: string[],
  runtime: string,
  selector = "poll",
): Promise<unknown> {
  const out = await bundle(name);
  const r = await run(cmd, [...args, out], selector);
  assert.equal(r.code, 0, `${runtime} (${selector}) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

async function smoke(cmd: string, args: string[], runtime: string) {
  assert.deepEqual(await runBundle("smoke", cmd, args, runtime), {
    runtime,
    seen: ["errno", "pointer", "sendmsg", "selector", "loop"].concat(
      runtime === "bun" ? ["worker"] : [],
    ),
    selector: "poll",
  });
}

// Networking, subprocesses, signals and the host's timers, through the
// public API, with an fd census; on the epoll selector (whose host-mode
// waits are koffi's pool on Node, the waiter Worker on Bun) and on poll
// (Bun: zero-timeout polls between host turns).
async function smokeIo(cmd: string, args: string[], runtime: string) {
  for (const selector of ["epoll", "poll"]) {
    assert.deepEqual(
      await runBundle("smoke_io", cmd, args, runtime, selector),
      {
        runtime,
        seen: ["tcp", "streams", "udp", "unix", "subprocess", "signal", "host"],
      },
    );
  }
}

const linux = Deno.build.os === "linux";

const RUNTIMES = [
  { runtime: "node", label: "Node (koffi backend)", cmd: "node", args: [] },
  { runtime: "bun", label: "Bun (bun:ffi backend)", cmd: "npx", args: ["bun"] },
];

for (const { runtime, label, cmd, args } of RUNTIMES) {
  Deno.test({
    name: `smoke.ts bundle runs under ${label}`,
    ignore: !linux,
    fn: () => smoke(cmd, args, runtime),
  });
  Deno.test({
    name:
      `smoke_io.ts bundle: TCP, UDP, Unix, subprocess, signal under ${label}`,
    ignore: !linux,
    fn: () => smokeIo(cmd, args, runtime),
  });
}
