/**
 * Helpers for subprocess tests: our children as the kernel lists them.
 *
 * @module
 */

import { spawn as spawnHost } from "node:child_process";
import process from "node:process";
import { Readable, Writable } from "node:stream";
import { close, pipe, read } from "../../poll/fd.ts";
import { killProcess, spawn, waitpidNoHang } from "../../poll/spawn.ts";

/**
 * Our children, from every thread's /proc list (zombies included). Deno
 * wants --allow-all to read /proc, so a child of ours reads it and leaves
 * itself out.
 */
export function childPids(): number[] {
  const [r, w] = pipe();
  let pid: number;
  try {
    pid = spawn(["sh", "-c", `cat /proc/${Deno.pid}/task/*/children`], {
      fds: ["devnull", w, -1],
    });
  } finally {
    close(w);
  }
  let text = "";
  const buf = new Uint8Array(4096);
  const dec = new TextDecoder();
  for (let n; (n = read(r, buf)) > 0;) text += dec.decode(buf.subarray(0, n));
  close(r);
  while (waitpidNoHang(pid) === null);
  return text.trim().split(/\s+/).filter((p) => p !== "" && Number(p) !== pid)
    .map(Number);
}

/**
 * The argv that runs program `script` (a .ts URL) on the runtime we run
 * on: `deno run DENO_FLAGS script ARGS` on Deno; on Node and Bun, which
 * run the transpiled tree, `node|bun script.js ARGS` (they have no
 * permissions to grant).
 */
export function hostProgram(
  script: URL,
  denoFlags: readonly string[],
  args: readonly string[] = [],
): string[] {
  const path = script.pathname;
  if ("deno" in process.versions) {
    return [process.execPath, "run", ...denoFlags, path, ...args];
  }
  return [process.execPath, path.replace(/\.ts$/, ".js"), ...args];
}

/** A child the host itself spawned, with web streams as Deno.Command's. */
export interface HostChild {
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<{ success: boolean; code: number | null }>;
}

/**
 * Spawn `cmd` by the host's own API (not ours): Deno.Command on Deno (its
 * node:child_process wants env permissions the test task does not grant),
 * node:child_process on Node and Bun. stdout and stderr are piped; stdin
 * too if `stdin` is true, else /dev/null.
 */
export function hostCommand(
  cmd: string,
  args: readonly string[],
  stdin = false,
): HostChild {
  if ("deno" in process.versions) {
    const child = new Deno.Command(cmd, {
      args: [...args],
      stdin: stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return {
      stdin: stdin ? child.stdin : null,
      stdout: child.stdout,
      stderr: child.stderr,
      status: child.status,
    };
  }
  const child = spawnHost(cmd, [...args], {
    stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  return {
    stdin: stdin ? Writable.toWeb(child.stdin!) : null,
    stdout: Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    stderr: Readable.toWeb(child.stderr!) as ReadableStream<Uint8Array>,
    // "close", not "exit": it comes once the child's pipes are closed too,
    // so a test that awaits the status and then counts fds finds none of
    // them still open (on Bun "exit" comes first, often by a turn or two).
    status: new Promise((resolve) =>
      child.on("close", (code) => resolve({ success: code === 0, code }))
    ),
  };
}

/** Bytes of `s`. */
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Text of `b`. */
export const text = (b: Uint8Array | null): string =>
  b === null ? "<null>" : new TextDecoder().decode(b);

/**
 * Run `argv` with stdout on a pipe; once its output contains `ready`, send
 * it `signal` (never if `ready` is null); return its output lines and
 * returncode. Blocking reads: the child needs nothing from us meanwhile.
 */
export function signalWhenReady(
  argv: string[],
  ready: string | null,
  signal: string,
): { lines: string[]; code: number } {
  const [r, w] = pipe();
  let pid: number;
  try {
    pid = spawn(argv, { fds: ["devnull", w, -1] });
  } finally {
    close(w);
  }
  const dec = new TextDecoder();
  const buf = new Uint8Array(4096);
  let out = "";
  let sent = false;
  try {
    for (let n; (n = read(r, buf)) > 0;) {
      out += dec.decode(buf.subarray(0, n));
      if (!sent && ready !== null && out.includes(ready)) {
        sent = true;
        killProcess(pid, signal);
      }
    }
  } finally {
    close(r);
  }
  let code = waitpidNoHang(pid);
  while (code === null) code = waitpidNoHang(pid);
  return { lines: out.trim().split("\n"), code };
}
