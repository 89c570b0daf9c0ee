import assert from "node:assert/strict";
import { bundle, run } from "./_bundle.ts";

// The smoke programs, bundled once each for Node and Bun (see _bundle.ts).
async function runBundle(
  name: string,
  cmd: string,
  args: string[],
  runtime: string,
  selector = "poll",
): Promise<unknown> {
  const out = await bundle(`tests/runtimes/${name}.ts`, name);
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
