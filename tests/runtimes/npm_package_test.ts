import assert from "node:assert/strict";

// The tarball smoke test: `_npm_tarball.mjs` (run by node, since writing
// the temporary projects needs what this test is not granted) builds the
// package, packs it, installs it into a fresh Node project and a fresh
// Bun project, offline, and runs the consumer in each. Run once; each test
// checks its step.
const root = new URL("../../", import.meta.url).pathname;

interface Step {
  code: number;
  stdout: string;
  stderr: string;
}

let steps: Promise<Record<string, Step>> | null = null;

function tarball(): Promise<Record<string, Step>> {
  return steps ??= (async () => {
    const r = await new Deno.Command("node", {
      args: [
        `${root}tests/runtimes/_npm_tarball.mjs`,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    const dec = new TextDecoder();
    assert.equal(
      r.code,
      0,
      `_npm_tarball.mjs failed:\n${dec.decode(r.stderr)}`,
    );
    return JSON.parse(dec.decode(r.stdout).trim().split("\n").pop()!);
  })();
}

async function ok(name: string): Promise<Step> {
  const all = await tarball();
  const s = all[name];
  assert.ok(s, `step ${name} did not run; steps run: ${Object.keys(all)}`);
  assert.equal(
    s.code,
    0,
    `${name} exited ${s.code}:\n${s.stdout}\n${s.stderr}`,
  );
  return s;
}

const linux = Deno.build.os === "linux";
const consumerOutput = {
  echoed: "ping\n",
  cancelled: "stop",
  selector: "EpollSelector",
};

Deno.test({
  name: "build:npm writes a package that npm pack packs",
  ignore: !linux,
  async fn() {
    await ok("build");
    assert.match((await ok("pack")).stdout, /seed-asyncio-.*\.tgz/);
  },
});

Deno.test({
  name:
    "packed tarball installs offline into a fresh Node project and runs echo and cancellation",
  ignore: !linux,
  async fn() {
    await ok("node-install");
    const run = await ok("node-run");
    assert.deepEqual(JSON.parse(run.stdout.trim()), consumerOutput);
  },
});

Deno.test({
  name:
    "packed tarball installs offline into a fresh Bun project and runs echo and cancellation",
  ignore: !linux,
  async fn() {
    await ok("bun-install");
    const run = await ok("bun-run");
    assert.deepEqual(JSON.parse(run.stdout.trim()), consumerOutput);
  },
});

const executorsOutput = { sum: 5, doubled: 42, inChild: 42 };

Deno.test({
  name:
    "packed tarball runs work modules of a Node project in threads and child processes",
  ignore: !linux,
  async fn() {
    const run = await ok("node-executors");
    assert.deepEqual(JSON.parse(run.stdout.trim()), executorsOutput);
  },
});

Deno.test({
  name:
    "packed tarball runs work modules of a Bun project in threads and child processes",
  ignore: !linux,
  async fn() {
    const run = await ok("bun-executors");
    assert.deepEqual(JSON.parse(run.stdout.trim()), executorsOutput);
  },
});

Deno.test({
  name: "packed tarball's declarations type-check a consumer with tsc --strict",
  ignore: !linux,
  async fn() {
    await ok("tsc");
  },
});
