import assert from "node:assert/strict";
import { getRunningLoop, run } from "../../mod.ts";
import type { EventLoop } from "../../mod.ts";
import { hasPidfd, killProcess, spawn } from "../../poll/spawn.ts";
import {
  _sigchldWatched,
  defaultMechanism,
  watchChild,
  type WatchMechanism,
} from "../../subprocess/child_watcher.ts";
import { test } from "../poll/_helpers.ts";
import { hostCommand } from "./_helpers.ts";

const LINUX = Deno.build.os === "linux";

function exitOf(mechanism: WatchMechanism, argv: string[], kill?: string) {
  return function* () {
    const loop = getRunningLoop() as EventLoop;
    const pid = spawn(argv);
    const fut = loop.createFuture<number>();
    watchChild(loop, pid, (code) => fut.setResult(code), mechanism);
    if (kill !== undefined) killProcess(pid, kill);
    return yield* fut;
  };
}

test("defaultMechanism() is pidfd on this Linux", () => {
  assert.equal(defaultMechanism(), hasPidfd() ? "pidfd" : "sigchld");
}, { ignore: !LINUX });

for (const mechanism of ["pidfd", "sigchld"] as const) {
  const ignore = mechanism === "pidfd" && !(LINUX && hasPidfd());
  test(
    `watchChild() with ${mechanism} reports the exit status and reaps`,
    async () => {
      assert.equal(await run(exitOf(mechanism, ["sh", "-c", "exit 5"])), 5);
      assert.equal(_sigchldWatched(), 0);
    },
    { ignore, census: mechanism === "pidfd" },
  );

  test(
    `watchChild() with ${mechanism} reports a signal death as -signal`,
    async () => {
      assert.equal(
        await run(exitOf(mechanism, ["sleep", "10"], "SIGKILL")),
        -9,
      );
    },
    { ignore, census: mechanism === "pidfd" },
  );
}

test(
  "watchChild() with sigchld sees many children exit (async form)",
  async () => {
    const codes = await run(async () => {
      const loop = getRunningLoop() as EventLoop;
      const futs = [];
      for (let i = 0; i < 10; i++) {
        const fut = loop.createFuture<number>();
        watchChild(
          loop,
          spawn(["sh", "-c", `exit ${i}`]),
          (c) => fut.setResult(c),
          "sigchld",
        );
        futs.push(fut);
      }
      const out = [];
      for (const f of futs) out.push(await f);
      return out;
    });
    assert.deepEqual(codes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(_sigchldWatched(), 0);
  },
  { census: false },
);

test("watchChild() never reaps a child the host spawned", async () => {
  // A child of the host's own, running while ours exits and is reaped. Had
  // we reaped it, the host would not see its exit status.
  const { status } = hostCommand("sleep", ["0.2"]);
  for (const mechanism of ["pidfd", "sigchld"] as const) {
    if (mechanism === "pidfd" && !hasPidfd()) continue;
    assert.equal(await run(exitOf(mechanism, ["true"])), 0);
  }
  assert.equal((await status).code, 0);
}, { census: false, ignore: !LINUX });
