import assert from "node:assert/strict";
import {
  type EventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  RuntimeError,
} from "../../mod.ts";
import { killProcess } from "../../poll/spawn.ts";
import { runtime } from "../../poll/_runtime.ts";

const LINUX = Deno.build.os === "linux";

Deno.test("addSignalHandler() runs the callback on the loop with its args (generator form)", async () => {
  const got = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const fut = loop.createFuture<[string, number]>();
    loop.addSignalHandler(
      "SIGUSR1",
      (a: string, b: number) => {
        // A loop callback: the running loop is ours.
        assert.equal(getRunningLoop(), loop);
        fut.setResult([a, b]);
      },
      "x",
      2,
    );
    try {
      killProcess(Deno.pid, "SIGUSR1");
      return yield* fut;
    } finally {
      assert.equal(loop.removeSignalHandler("SIGUSR1"), true);
    }
  });
  assert.deepEqual(got, ["x", 2]);
});

Deno.test("addSignalHandler() runs the callback on the loop (async form, numeric signal)", async () => {
  const SIGUSR2 = LINUX ? 12 : 31;
  let calls = 0;
  await run(async () => {
    const loop = getRunningLoop() as EventLoop;
    const fut = loop.createFuture<void>();
    loop.addSignalHandler(SIGUSR2, () => {
      if (++calls === 1) fut.setResult();
    });
    try {
      killProcess(Deno.pid, SIGUSR2);
      await fut;
    } finally {
      loop.removeSignalHandler(SIGUSR2);
    }
  });
  assert.equal(calls, 1);
});

Deno.test("addSignalHandler() replaces the handler for the same signal", async () => {
  const seen: string[] = [];
  await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const fut = loop.createFuture<void>();
    loop.addSignalHandler("SIGUSR1", () => seen.push("old"));
    loop.addSignalHandler("SIGUSR1", () => {
      seen.push("new");
      fut.setResult();
    });
    try {
      killProcess(Deno.pid, "SIGUSR1");
      yield* fut;
    } finally {
      loop.removeSignalHandler("SIGUSR1");
    }
  });
  assert.deepEqual(seen, ["new"]);
});

Deno.test("addSignalHandler() refuses SIGKILL, SIGSTOP and what the runtime refuses with RuntimeError", () => {
  using loop = newEventLoop();
  // The kernel refuses SIGKILL and SIGSTOP everywhere; Deno also refuses
  // SIGSEGV and SIGILL, which Node and Bun let a program listen for.
  const refused = runtime === "deno"
    ? ["SIGKILL", "SIGSTOP", 9, "SIGSEGV", "SIGILL"]
    : ["SIGKILL", "SIGSTOP", 9];
  for (const sig of refused) {
    assert.throws(
      () => loop.addSignalHandler(sig, () => {}),
      (e) =>
        e instanceof RuntimeError &&
        /^sig \d+ cannot be caught$/.test(e.message),
      String(sig),
    );
  }
  // Nothing was registered by the failed calls.
  assert.equal(loop.removeSignalHandler("SIGKILL"), false);
  assert.equal(loop.removeSignalHandler(refused.at(-1)!), false);
});

Deno.test("addSignalHandler() rejects bad signals and coroutine callbacks", () => {
  using loop = newEventLoop();
  assert.throws(() => loop.addSignalHandler("SIGNOPE", () => {}), TypeError);
  assert.throws(() => loop.addSignalHandler(0, () => {}), RangeError);
  assert.throws(() => loop.addSignalHandler(65, () => {}), RangeError);
  assert.throws(
    () => loop.addSignalHandler("SIGUSR1", function* () {}),
    TypeError,
  );
  assert.throws(
    () => loop.addSignalHandler("SIGUSR1", async () => {}),
    TypeError,
  );
  assert.throws(() => loop.removeSignalHandler("SIGNOPE"), TypeError);
  assert.equal(loop.removeSignalHandler("SIGUSR1"), false);
});

Deno.test("addSignalHandler() on a closed loop throws", () => {
  const loop = newEventLoop();
  loop.close();
  assert.throws(() => loop.addSignalHandler("SIGUSR1", () => {}), /closed/);
});
