import assert from "node:assert/strict";
import {
  decodeStatus,
  hasPidfd,
  killProcess,
  pidfdOpen,
  spawn,
  type SpawnOptions,
  waitPidfd,
  waitpidNoHang,
} from "../../poll/spawn.ts";
import { close, pipe, read } from "../../poll/fd.ts";
import { fcntl } from "../../poll/_libc.ts";
import {
  FileNotFoundError,
  NotADirectoryError,
  PermissionError,
  ProcessLookupError,
} from "../../poll/errors.ts";
import { LINUX, test } from "./_helpers.ts";
import { childPids } from "../subprocess/_helpers.ts";

function reap(pid: number): number {
  let code = waitpidNoHang(pid);
  while (code === null) code = waitpidNoHang(pid);
  return code;
}

/** Run argv with stdout on a pipe; its output and returncode. */
function output(
  argv: string[],
  options: SpawnOptions = {},
): { out: string; code: number; pid: number } {
  const [r, w] = pipe();
  let pid: number;
  try {
    pid = spawn(argv, { ...options, fds: [-1, w, options.fds?.[2] ?? -1] });
  } finally {
    close(w);
  }
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = read(r, buf)) > 0;) chunks.push(buf.slice(0, n));
  close(r);
  const code = reap(pid);
  const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) all.set(c, (off += c.length) - c.length);
  return { out: new TextDecoder().decode(all), code, pid };
}

const ignore = !LINUX;

test("spawn() runs a program found in PATH and reports its exit status", () => {
  const { out, code } = output(["sh", "-c", "echo hi; exit 7"]);
  assert.deepEqual([out, code], ["hi\n", 7]);
});

test(
  "spawn() with a missing program throws FileNotFoundError before any child exists",
  () => {
    const before = childPids();
    assert.throws(
      () => spawn(["/no/such/program"]),
      (e) =>
        e instanceof FileNotFoundError && /no\/such\/program/.test(e.message),
    );
    assert.throws(() => spawn(["no-such-program-xyz"]), FileNotFoundError);
    assert.deepEqual(childPids(), before);
  },
  { ignore },
);

test("spawn() of a non-executable file throws PermissionError", () => {
  const before = childPids();
  assert.throws(() => spawn(["/dev/null"]), PermissionError);
  assert.deepEqual(childPids(), before);
}, { ignore });

test(
  "spawn() with a missing or non-directory cwd throws and makes no child",
  () => {
    const before = childPids();
    assert.throws(
      () => spawn(["true"], { cwd: "/no/such/dir" }),
      FileNotFoundError,
    );
    assert.throws(
      () => spawn(["true"], { cwd: "/dev/null" }),
      NotADirectoryError,
    );
    assert.deepEqual(childPids(), before);
  },
  { ignore },
);

test("spawn() rejects bad argv, env and fds with TypeError or RangeError", () => {
  assert.throws(() => spawn([]), TypeError);
  assert.throws(() => spawn([""]), TypeError);
  assert.throws(() => spawn(["true", "a\0b"]), TypeError);
  assert.throws(() => spawn(["true", 3 as unknown as string]), TypeError);
  assert.throws(() => spawn(["true"], { env: { "A=B": "x" } }), TypeError);
  assert.throws(
    () => spawn(["true"], { env: { A: 1 as unknown as string } }),
    TypeError,
  );
  assert.throws(() => spawn(["true"], { fds: [-5, -1, -1] }), RangeError);
  assert.throws(() => spawn(["true"], { passFds: [1.5] }), RangeError);
  assert.throws(() => spawn(["true"], { processGroup: -1 }), RangeError);
});

test(
  "spawn() resets SIGPIPE (ignored in Deno) to the default in the child",
  () => {
    const SIGPIPE_BIT = 1n << 12n;
    const sigIgn = (status: string) =>
      BigInt("0x" + /SigIgn:\s*([0-9a-f]+)/.exec(status)![1]);
    // Deno ignores SIGPIPE, so the child would inherit it without the reset.
    const parent = output(["cat", `/proc/${Deno.pid}/status`]).out;
    assert.notEqual(sigIgn(parent) & SIGPIPE_BIT, 0n);
    const { out } = output(["cat", "/proc/self/status"]);
    assert.equal(sigIgn(out) & SIGPIPE_BIT, 0n);
  },
  { ignore },
);

test("spawn() passes env, cwd and /dev/null stdio", () => {
  assert.equal(
    output(["sh", "-c", "echo $FOO; pwd"], {
      env: { FOO: "bar baz", PATH: "/usr/bin:/bin" },
      cwd: "/tmp",
    }).out,
    "bar baz\n/tmp\n",
  );
  // stdin from /dev/null reads EOF at once.
  const [r, w] = pipe();
  const pid = spawn(["cat"], { fds: ["devnull", w, -1] });
  close(w);
  assert.equal(read(r, new Uint8Array(8)), 0);
  close(r);
  assert.equal(reap(pid), 0);
});

test("spawn() with fds[2] = 1 sends stderr into the new stdout", () => {
  assert.equal(
    output(["sh", "-c", "echo out; echo err >&2"], { fds: [-1, -1, 1] }).out,
    "out\nerr\n",
  );
});

test(
  "spawn() keeps passFds open and closes other inherited fds (closeFds)",
  () => {
    const F_SETFD = 2;
    const [r1, w1] = pipe();
    const [r2, w2] = pipe();
    // Make both inheritable, as fds a parent process may have left us.
    fcntl(w1, F_SETFD, 0);
    fcntl(w2, F_SETFD, 0);
    try {
      const probe =
        `[ -e /proc/self/fd/${w1} ] && echo w1; [ -e /proc/self/fd/${w2} ] && echo w2; true`;
      assert.equal(output(["sh", "-c", probe], { passFds: [w1] }).out, "w1\n");
      assert.equal(
        output(["sh", "-c", probe], { closeFds: false }).out,
        "w1\nw2\n",
      );
    } finally {
      for (const fd of [r1, w1, r2, w2]) close(fd);
    }
  },
  { ignore },
);

test(
  "spawn() gives the child an inherited stderr the host marked close-on-exec",
  () => {
    // Node marks its fds 0-2 close-on-exec; an inherited slot must still
    // reach the child. Stand in for Node by marking our stderr so.
    const F_GETFD = 1;
    const F_SETFD = 2;
    const FD_CLOEXEC = 1;
    const saved = fcntl(2, F_GETFD, 0);
    assert.notEqual(saved, -1, "the test needs an open stderr");
    fcntl(2, F_SETFD, saved | FD_CLOEXEC);
    try {
      const probe = "[ -e /proc/self/fd/2 ] && echo open || echo closed";
      assert.equal(output(["sh", "-c", probe]).out, "open\n");
    } finally {
      fcntl(2, F_SETFD, saved);
    }
    // The spawn left our own flag as it was.
    assert.equal(fcntl(2, F_GETFD, 0), saved);
  },
  { ignore },
);

test(
  "spawn() with newSession and processGroup puts the child in its own session or group",
  () => {
    // /proc/self/stat fields 5 and 6: process group and session.
    const stat =
      "read -r pid c s ppid pgrp sid rest < /proc/self/stat; echo $pid $pgrp $sid";
    const ids = (opts: SpawnOptions) =>
      output(["sh", "-c", stat], opts).out.trim().split(" ").map(Number);
    const [pid1, pgrp1, sid1] = ids({ newSession: true });
    assert.equal(sid1, pid1);
    assert.equal(pgrp1, pid1);
    const [pid2, pgrp2, sid2] = ids({ processGroup: 0 });
    assert.equal(pgrp2, pid2);
    assert.notEqual(sid2, pid2);
    const [pid3, pgrp3] = ids({});
    assert.notEqual(pgrp3, pid3);
  },
  { ignore },
);

test("waitPidfd() reports a signal death as minus the signal", () => {
  const pid = spawn(["sleep", "10"]);
  const fd = pidfdOpen(pid);
  try {
    assert.equal(waitPidfd(fd, false), null);
    killProcess(pid, "SIGTERM");
    assert.equal(waitPidfd(fd, true), -15);
  } finally {
    close(fd);
  }
}, { ignore: !LINUX || !hasPidfd() });

test("killProcess() on a reaped process throws ProcessLookupError", () => {
  const pid = spawn(["true"]);
  assert.equal(reap(pid), 0);
  assert.throws(() => killProcess(pid, 15), ProcessLookupError);
  assert.throws(() => killProcess(0, 15), RangeError);
  assert.throws(() => killProcess(pid, "SIGNOPE"), TypeError);
});

test("decodeStatus() turns wait statuses into returncodes", () => {
  assert.equal(decodeStatus(3 << 8), 3);
  assert.equal(decodeStatus(9), -9);
  assert.equal(decodeStatus(0), 0);
});
