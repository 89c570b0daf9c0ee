import assert from "node:assert/strict";
import {
  BrokenPipeError,
  createSubprocessExec,
  createSubprocessShell,
  createTask,
  DEVNULL,
  FileNotFoundError,
  LimitOverrunError,
  PermissionError,
  PIPE,
  ProcessLookupError,
  run,
  sleep,
  STDOUT,
} from "../../mod.ts";
import { test } from "../poll/_helpers.ts";
import { childPids, text } from "./_helpers.ts";

test("createSubprocessExec() streams stdout line by line (generator form)", async () => {
  const [lines, code] = await run(function* () {
    const proc = yield* createSubprocessExec("sh", ["-c", "echo a; echo b"], {
      stdout: PIPE,
    });
    assert.ok(proc.pid > 0);
    assert.equal(proc.stdin, null);
    const lines = [
      text(yield* proc.stdout!.readline()),
      text(yield* proc.stdout!.readline()),
      text(yield* proc.stdout!.readline()),
    ];
    return [lines, yield* proc.wait()];
  });
  assert.deepEqual(lines, ["a\n", "b\n", ""]);
  assert.equal(code, 0);
});

test("createSubprocessExec() streams stdout line by line (async form)", async () => {
  const [line, code] = await run(async () => {
    const proc = await createSubprocessExec("printf", ["x\\ny"], {
      stdout: PIPE,
    });
    const line = text(await proc.stdout!.readline());
    const rest = text(await proc.stdout!.read());
    return [line + "|" + rest, await proc.wait()];
  });
  assert.equal(line, "x\n|y");
  assert.equal(code, 0);
});

for (const form of ["generator", "async"] as const) {
  test(`communicate() moves 4 MiB each way without deadlock (${form} form)`, async () => {
    const input = new Uint8Array(4 << 20).map((_, i) => (i * 31) & 0xff);
    const main = async () => {
      // cat writes back while we still write: both pipes fill up.
      const proc = await createSubprocessExec("cat", [], {
        stdin: PIPE,
        stdout: PIPE,
      });
      return [await proc.communicate(input), proc.returncode] as const;
    };
    const [[out, err], code] = form === "async"
      ? await run(main)
      : await run(function* () {
        const proc = yield* createSubprocessExec("cat", [], {
          stdin: PIPE,
          stdout: PIPE,
        });
        return [yield* proc.communicate(input), proc.returncode] as const;
      });
    assert.equal(out!.length, input.length);
    assert.deepEqual(out, input);
    assert.equal(err, null);
    assert.equal(code, 0);
  });
}

test("communicate() returns stdout and stderr apart, or merged with STDOUT", async () => {
  const script = "echo out; echo err >&2; exit 3";
  const got = await run(function* () {
    const a = yield* createSubprocessShell(script, {
      stdout: PIPE,
      stderr: PIPE,
    });
    const [o1, e1] = yield* a.communicate();
    const b = yield* createSubprocessShell(script, {
      stdout: PIPE,
      stderr: STDOUT,
    });
    const [o2, e2] = yield* b.communicate();
    return [text(o1), text(e1), a.returncode, text(o2), e2, b.returncode];
  });
  assert.deepEqual(got, ["out\n", "err\n", 3, "out\nerr\n", null, 3]);
});

test("createSubprocessExec() passes env, cwd and DEVNULL", async () => {
  const out = await run(async () => {
    const proc = await createSubprocessExec(
      "sh",
      ["-c", "echo $GREETING; pwd; cat"],
      {
        stdin: DEVNULL,
        stdout: PIPE,
        env: { GREETING: "hi there", PATH: "/usr/bin:/bin" },
        cwd: "/tmp",
      },
    );
    return text((await proc.communicate())[0]);
  });
  assert.equal(out, "hi there\n/tmp\n");
});

test("createSubprocessExec() with a missing program fails with FileNotFoundError and makes no child", async () => {
  const before = childPids();
  await run(async () => {
    await assert.rejects(
      async () =>
        await createSubprocessExec("/no/such/program", [], { stdout: PIPE }),
      FileNotFoundError,
    );
    await assert.rejects(
      async () => await createSubprocessExec("/dev/null"),
      PermissionError,
    );
  });
  assert.deepEqual(childPids(), before);
});

test("createSubprocessExec() rejects bad options before spawning", async () => {
  const before = childPids();
  await run(function* () {
    for (
      const opts of [
        { stdin: STDOUT },
        { stdout: -9 },
        { stdout: 1.5 },
        { limit: 0 },
      ]
    ) {
      let err: unknown;
      try {
        yield* createSubprocessExec("true", [], opts);
      } catch (e) {
        err = e;
      }
      assert.ok(
        err instanceof TypeError || err instanceof RangeError,
        `${JSON.stringify(opts)}: ${err}`,
      );
    }
    let err: unknown;
    try {
      yield* createSubprocessShell(42 as unknown as string);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TypeError);
  });
  assert.deepEqual(childPids(), before);
});

test("Process stdin: a child that exits without reading gives BrokenPipeError on drain, not a crash", async () => {
  const got = await run(async () => {
    const proc = await createSubprocessExec("true", [], { stdin: PIPE });
    assert.equal(await proc.wait(), 0);
    let err: unknown;
    try {
      // More than a pipe holds, so the write cannot all go out at once.
      proc.stdin!.write(new Uint8Array(1 << 20));
      await proc.stdin!.drain();
    } catch (e) {
      err = e;
    }
    return err;
  });
  assert.ok(got instanceof BrokenPipeError, String(got));
});

test("communicate() ignores a child that closes stdin early", async () => {
  const [out, code] = await run(function* () {
    const proc = yield* createSubprocessShell("exec 0<&-; echo done", {
      stdin: PIPE,
      stdout: PIPE,
    });
    const [out] = yield* proc.communicate(new Uint8Array(1 << 20));
    return [text(out), proc.returncode];
  });
  assert.deepEqual([out, code], ["done\n", 0]);
});

test("Process.kill() and terminate() give returncode -signal; kill() after exit throws ProcessLookupError", async () => {
  const got = await run(async () => {
    const a = await createSubprocessExec("sleep", ["10"]);
    a.kill();
    const b = await createSubprocessExec("sleep", ["10"]);
    b.terminate();
    const c = await createSubprocessExec("sleep", ["10"]);
    c.sendSignal("SIGHUP");
    const codes = [await a.wait(), await b.wait(), await c.wait()];
    assert.throws(() => a.kill(), ProcessLookupError);
    assert.throws(() => a.terminate(), ProcessLookupError);
    return codes;
  });
  assert.deepEqual(got, [-9, -15, -1]);
});

test("Process.wait() cancelled leaves the child running; a later wait() works (generator form)", async () => {
  const got = await run(function* () {
    const proc = yield* createSubprocessExec("cat", [], {
      stdin: PIPE,
      stdout: DEVNULL,
    });
    const waiter = createTask(function* () {
      return yield* proc.wait();
    });
    yield* sleep(0);
    waiter.cancel();
    yield* sleep(0);
    assert.ok(waiter.cancelled());
    assert.equal(proc.returncode, null);
    proc.stdin!.close();
    return yield* proc.wait();
  });
  assert.equal(got, 0);
});

test("Process.wait() cancelled leaves the child running; a later wait() works (async form)", async () => {
  const got = await run(async () => {
    const proc = await createSubprocessExec("cat", [], { stdin: PIPE });
    const waiter = createTask(async () => await proc.wait());
    await sleep(0);
    waiter.cancel();
    await sleep(0);
    assert.equal(proc.returncode, null);
    proc.stdin!.close();
    return await proc.wait();
  });
  assert.equal(got, 0);
});

test("1,000 spawn + wait cycles leave no fds and no zombies", async () => {
  const before = childPids();
  await run(function* () {
    for (let i = 0; i < 1000; i++) {
      const proc = yield* createSubprocessExec(
        "/bin/true",
        [],
        i % 2 === 0 ? { stdout: PIPE, stderr: PIPE } : {},
      );
      assert.equal(yield* proc.wait(), 0);
    }
  });
  assert.deepEqual(childPids(), before);
});

test("createSubprocessExec() applies limit to the output readers and startNewSession to the child", async () => {
  const [err, sid, pid] = await run(async () => {
    const a = await createSubprocessShell("printf 'aaaaaaaaaaaaaaaaaaaa\\n'", {
      stdout: PIPE,
      limit: 8,
    });
    let err: unknown;
    try {
      await a.stdout!.readline();
    } catch (e) {
      err = e;
    }
    await a.communicate();
    const b = await createSubprocessShell(
      "read -r p c s pp pg sid rest < /proc/self/stat; echo $sid",
      { stdout: PIPE, startNewSession: true },
    );
    const [out] = await b.communicate();
    return [err, Number(text(out).trim()), b.pid];
  });
  assert.ok(err instanceof LimitOverrunError, String(err));
  assert.equal(sid, pid);
});
