/**
 * Child processes at the OS level: `spawn()` (`posix_spawnp` with file
 * actions and attributes), and what observes and signals a child —
 * `pidfdOpen()`, `waitPidfd()`, `waitpidNoHang()`, `killProcess()`.
 * Knows nothing about loops: `subprocess/` (and the process pool of
 * `executors/`) build on it.
 *
 * Never `fork()` through FFI: Deno's other threads would not be copied.
 * glibc's `posix_spawn` uses `clone(CLONE_VM | CLONE_VFORK)` and execs at
 * once, and reports exec failures (ENOENT, EACCES) as its result, before
 * any child exists.
 *
 * @module
 */

import { check } from "./_syscall.ts";
import { errno, fcntl, libc, os } from "./_libc.ts";
import { addressOf, type Pointer, pointerAt, pointerFrom } from "./_pointer.ts";
import { hostEnvironment, pid as ourPid, runtime } from "./_runtime.ts";
import { errnoOf, fromErrno, strerror } from "./errors.ts";
import { signalNumber } from "./signals.ts";

/**
 * What a child's stdin, stdout or stderr is: an fd of ours to dup onto it,
 * `-1` to inherit ours, or `"devnull"` to open `/dev/null` in the child.
 */
export type SpawnFd = number | "devnull";

/**
 * Options of {@linkcode spawn}.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from "./spawn.ts";
 * const opts: SpawnOptions = { cwd: "/", fds: [-1, "devnull", -1] };
 * ```
 */
export interface SpawnOptions {
  /** Working directory of the child (default: ours). */
  cwd?: string;
  /**
   * The child's whole environment (default: ours, read at spawn time).
   * The program is looked up in our PATH, not in this one.
   */
  env?: Record<string, string>;
  /**
   * The child's fds 0, 1, 2, in that order (default: all inherited).
   * `fds[2] = 1` makes stderr a copy of the child's (new) stdout. An fd of
   * ours numbered 0–2 used for a different slot may be overwritten by an
   * earlier slot.
   */
  fds?: readonly [SpawnFd, SpawnFd, SpawnFd];
  /** More fds the child keeps, under the same numbers. */
  passFds?: readonly number[];
  /**
   * Close every other fd above 2 in the child (default true). Our own fds
   * are close-on-exec anyway; this also closes inherited ones. Needs
   * glibc >= 2.34 (`addclosefrom_np`); elsewhere close-on-exec is relied on.
   */
  closeFds?: boolean;
  /** Run the child in a new session (`setsid`). */
  newSession?: boolean;
  /** Put the child in process group `n` (0: a new group of its own). */
  processGroup?: number;
}

const F_GETFD = 1;
const FD_CLOEXEC = 1;
// <spawn.h>: glibc and macOS agree on the first three.
const SETPGROUP = 0x02;
const SETSIGDEF = 0x04;
const SETSIGMASK = 0x08;
const SETSID = os === "darwin" ? 0x0400 : 0x80;
// glibc's posix_spawn_file_actions_t is 80 B, posix_spawnattr_t 336 B,
// sigset_t 128 B; macOS's are pointer-sized handles. 512 B fits every OS and
// keeps the buffers off V8's heap (whose typed arrays may move).
const OPAQUE = 512;
const O_RDWR = 2;

const actions = new Uint8Array(OPAQUE);
const attr = new Uint8Array(OPAQUE);
const sigdef = new Uint8Array(OPAQUE);
const sigmask = new Uint8Array(OPAQUE);
const pidOut = new Int32Array(1);
const encoder = new TextEncoder();
const DEV_NULL = cString("/dev/null");

/**
 * Start `argv[0]` (looked up in PATH if it has no slash) with arguments
 * `argv`, and return its pid. The child's SIGPIPE is reset to the default
 * action and its signal mask emptied, as Python's `restore_signals=True`
 * (Deno ignores SIGPIPE, and ignored signals survive exec).
 *
 * The caller owns the pid: it must reap it (`waitPidfd`, `waitpidNoHang`)
 * or a zombie stays.
 *
 * @param argv The program and its arguments.
 * @param options Working directory, environment, stdio, sessions.
 * @returns The child's pid.
 * @throws {TypeError} for an empty argv, a non-string or a NUL byte.
 * @throws {FileNotFoundError} for a missing program or cwd, before any
 *   child exists.
 * @throws {PermissionError} for a program that is not executable.
 *
 * @example Running a program to completion
 * ```ts
 * import { pidfdOpen, spawn, waitPidfd } from "./spawn.ts";
 * import { close } from "./fd.ts";
 * import assert from "node:assert/strict";
 *
 * if (Deno.build.os === "linux") {
 *   const pid = spawn(["sh", "-c", "exit 3"]);
 *   const pidfd = pidfdOpen(pid);
 *   let code = waitPidfd(pidfd, false);
 *   while (code === null) code = waitPidfd(pidfd, false);
 *   close(pidfd);
 *   assert.equal(code, 3);
 * }
 * ```
 */
export function spawn(argv: readonly string[], options?: SpawnOptions): number {
  checkArgv(argv);
  const fds = options?.fds ?? [-1, -1, -1];
  checkSlots(fds);
  const passFds = options?.passFds ?? [];
  for (const fd of passFds) checkFd(fd, "pass fd");
  const argvBlock = pointerArray(argv);
  // Bun keeps its environment in JS (`process.env`) and bun:ffi cannot
  // read C's `environ`: the child gets process.env, as Bun.spawn gives it.
  const env = options?.env ?? (runtime === "bun" ? hostEnvironment() : null);
  const envBlock = env === null ? null : pointerArray(envStrings(env));
  const cwd = options?.cwd === undefined ? null : cString(options.cwd, "cwd");

  const sym = libc();
  spawnCheck(sym.posix_spawn_file_actions_init(actions), "file_actions_init");
  try {
    spawnCheck(sym.posix_spawnattr_init(attr), "spawnattr_init");
    try {
      addFileActions(fds, passFds, options?.closeFds ?? true, cwd);
      setAttributes(options);
      const envp = envBlock === null
        ? currentEnviron()
        : pointerFrom(addressOf(envBlock.pointers));
      // The program's name is argv[0], the block's first C string.
      const rc = sym.posix_spawnp(
        pidOut,
        argvBlock.strings,
        actions,
        attr,
        argvBlock.pointers,
        envp,
      );
      // Keep the string blocks alive until the call has returned.
      keep(argvBlock, envBlock);
      if (rc !== 0) throw spawnError(rc, argv[0], cwd !== null);
      return pidOut[0];
    } finally {
      sym.posix_spawnattr_destroy(attr);
    }
  } finally {
    sym.posix_spawn_file_actions_destroy(actions);
  }
}

function addFileActions(
  fds: readonly SpawnFd[],
  passFds: readonly number[],
  closeFds: boolean,
  cwd: Uint8Array | null,
): void {
  const sym = libc();
  for (let i = 0; i < 3; i++) {
    const fd = fds[i];
    if (fd === "devnull") {
      spawnCheck(
        sym.posix_spawn_file_actions_addopen(actions, i, DEV_NULL, O_RDWR, 0),
        "file_actions_addopen",
      );
    } else if (fd >= 0) {
      // dup2 onto 0-2 clears close-on-exec, so the child keeps them.
      spawnCheck(
        sym.posix_spawn_file_actions_adddup2(actions, fd, i),
        "file_actions_adddup2",
      );
    } else {
      // Inherited, but the host may have marked it close-on-exec (Node
      // marks its stdio so): without dup2(i, i), which clears the flag, the
      // child would start with it closed. A closed fd of ours (-1) stays so.
      const flags = fcntl(i, F_GETFD, 0);
      if (flags !== -1 && (flags & FD_CLOEXEC) !== 0) {
        spawnCheck(
          sym.posix_spawn_file_actions_adddup2(actions, i, i),
          "file_actions_adddup2",
        );
      }
    }
  }
  // dup2(fd, fd) clears close-on-exec (glibc >= 2.29, macOS).
  for (const fd of passFds) {
    spawnCheck(
      sym.posix_spawn_file_actions_adddup2(actions, fd, fd),
      "file_actions_adddup2",
    );
  }
  const closefrom = sym.posix_spawn_file_actions_addclosefrom_np;
  if (closeFds && closefrom !== null && closefrom !== undefined) {
    // Close the gaps between the passed fds, then everything above them.
    const keep = new Set(passFds);
    const top = Math.max(2, ...passFds);
    for (let fd = 3; fd < top; fd++) {
      if (!keep.has(fd)) {
        spawnCheck(
          sym.posix_spawn_file_actions_addclose(actions, fd),
          "file_actions_addclose",
        );
      }
    }
    spawnCheck(closefrom(actions, top + 1), "file_actions_addclosefrom_np");
  }
  if (cwd !== null) {
    const chdir = sym.posix_spawn_file_actions_addchdir_np;
    if (chdir === null || chdir === undefined) {
      throw new Error(
        `Cannot spawn with cwd: ${os}'s libc has no posix_spawn_file_actions_addchdir_np, leave cwd unset`,
      );
    }
    spawnCheck(chdir(actions, cwd), "file_actions_addchdir_np");
  }
}

function setAttributes(options: SpawnOptions | undefined): void {
  const sym = libc();
  let flags = SETSIGDEF | SETSIGMASK;
  sym.sigemptyset(sigdef);
  sym.sigaddset(sigdef, signalNumber("SIGPIPE"));
  sym.sigaddset(sigdef, signalNumber("SIGXFSZ"));
  spawnCheck(sym.posix_spawnattr_setsigdefault(attr, sigdef), "setsigdefault");
  sym.sigemptyset(sigmask);
  spawnCheck(sym.posix_spawnattr_setsigmask(attr, sigmask), "setsigmask");
  if (options?.newSession) flags |= SETSID;
  const group = options?.processGroup;
  if (group !== undefined) {
    checkFd(group, "set process group");
    flags |= SETPGROUP;
    spawnCheck(sym.posix_spawnattr_setpgroup(attr, group), "setpgroup");
  }
  spawnCheck(sym.posix_spawnattr_setflags(attr, flags), "setflags");
}

// ---- observing and signalling a child ----------------------------------

const PIDFD_OPEN = 434n;
const P_PIDFD = 3;
const WEXITED = 4;
const WNOHANG = 1;
// siginfo_t (Linux): si_code @8, si_pid @16, si_status @24; 128 B in all.
const CLD_EXITED = 1;
const siginfo = new Int32Array(32);
const status = new Int32Array(1);

/**
 * Whether `pidfdOpen` works here (Linux >= 5.3 without a seccomp filter
 * that refuses it); probed once with our own pid.
 *
 * @example
 * ```ts
 * import { hasPidfd } from "./spawn.ts";
 * console.log(hasPidfd());
 * ```
 */
export function hasPidfd(): boolean {
  if (pidfdProbe !== null) return pidfdProbe;
  const sym = libc();
  pidfdProbe = false;
  if (os === "linux" && sym.syscall && sym.waitid) {
    const fd = sym.syscall(PIDFD_OPEN, BigInt(ourPid()), 0n);
    if (fd >= 0) {
      sym.close(fd);
      pidfdProbe = true;
    }
  }
  return pidfdProbe;
}
let pidfdProbe: boolean | null = null;

/**
 * A pidfd for child `pid` (close-on-exec): readable once it has exited.
 * Works on a child that has exited but is not reaped yet.
 *
 * @throws {OSError} ESRCH if no such process, ENOSYS before Linux 5.3.
 *
 * @example
 * ```ts
 * import { pidfdOpen, spawn, waitPidfd } from "./spawn.ts";
 * import { close } from "./fd.ts";
 * if (Deno.build.os === "linux") {
 *   const fd = pidfdOpen(spawn(["true"]));
 *   while (waitPidfd(fd, false) === null);
 *   close(fd);
 * }
 * ```
 */
export function pidfdOpen(pid: number): number {
  const sym = libc();
  if (!sym.syscall) throw new Error("Cannot open a pidfd: no syscall()");
  return check(sym.syscall(PIDFD_OPEN, BigInt(pid), 0n), "pidfd_open");
}

/**
 * Reap the child of `pidfd` and return its returncode: the exit status, or
 * minus the signal that killed it. `null` if it is still running and
 * `block` is false.
 *
 * @throws {ChildProcessError} if it was reaped already (ECHILD).
 *
 * @example
 * ```ts
 * import { pidfdOpen, spawn, waitPidfd } from "./spawn.ts";
 * import { close } from "./fd.ts";
 * import assert from "node:assert/strict";
 * if (Deno.build.os === "linux") {
 *   const fd = pidfdOpen(spawn(["sh", "-c", "kill -9 $$"]));
 *   assert.equal(waitPidfd(fd, true), -9);
 *   close(fd);
 * }
 * ```
 */
export function waitPidfd(pidfd: number, block: boolean): number | null {
  const waitid = libc().waitid!;
  siginfo.fill(0);
  const flags = WEXITED | (block ? 0 : WNOHANG);
  for (;;) {
    if (waitid(P_PIDFD, pidfd, siginfo, flags) === 0) break;
    const e = errno();
    if (e !== errnoOf("EINTR")) throw fromErrno(e, "waitid", pidfd);
  }
  // si_pid stays 0 when WNOHANG found nothing to reap.
  if (siginfo[4] === 0) return null;
  return siginfo[2] === CLD_EXITED ? siginfo[6] : -siginfo[6];
}

/**
 * `waitpid(pid, WNOHANG)`: the returncode if child `pid` has exited (it is
 * reaped then), else `null`. Only ever for a pid we spawned: waiting for
 * any child would reap the runtime's own (`Deno.Command`, `child_process`).
 *
 * @throws {ChildProcessError} if `pid` is not our child or already reaped.
 *
 * @example
 * ```ts
 * import { spawn, waitpidNoHang } from "./spawn.ts";
 * const pid = spawn(["true"]);
 * while (waitpidNoHang(pid) === null);
 * ```
 */
export function waitpidNoHang(pid: number): number | null {
  const sym = libc();
  for (;;) {
    const r = sym.waitpid(pid, status, WNOHANG);
    if (r === 0) return null;
    if (r === pid) return decodeStatus(status[0]);
    const e = errno();
    if (e !== errnoOf("EINTR")) throw fromErrno(e, "waitpid");
  }
}

/**
 * Send signal `sig` (a number or a name like `"SIGTERM"`) to process `pid`.
 *
 * @throws {ProcessLookupError} if there is no such process (ESRCH).
 * @throws {PermissionError} if we may not signal it.
 *
 * @example
 * ```ts
 * import { killProcess, spawn, waitpidNoHang } from "./spawn.ts";
 * import assert from "node:assert/strict";
 * const pid = spawn(["sleep", "10"]);
 * killProcess(pid, "SIGKILL");
 * let code = waitpidNoHang(pid);
 * while (code === null) code = waitpidNoHang(pid);
 * assert.equal(code, -9);
 * ```
 */
export function killProcess(pid: number, sig: number | string): void {
  const n = signalNumber(sig);
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new RangeError(
      `Cannot send a signal: pid must be a positive integer, got ${pid}`,
    );
  }
  check(libc().kill(pid, n), "kill");
}

/** A `wait` status as a returncode (exit status, or -signal). @internal */
export function decodeStatus(st: number): number {
  const sig = st & 0x7f;
  return sig === 0 ? (st >> 8) & 0xff : -sig;
}

// ---- helpers -------------------------------------------------------------

interface PointerBlock {
  strings: Uint8Array;
  pointers: BigUint64Array;
}

/** NUL-terminated strings in one block, and a NULL-terminated char *[]. */
function pointerArray(items: readonly string[]): PointerBlock {
  const parts = items.map((s) => encoder.encode(s));
  let size = 0;
  for (const p of parts) size += p.length + 1;
  // At least 64 B + 1 so the block lives off V8's heap and cannot move.
  const strings = new Uint8Array(Math.max(size, 65));
  const pointers = new BigUint64Array(Math.max(items.length + 1, 9));
  const base = addressOf(strings);
  let off = 0;
  for (let i = 0; i < parts.length; i++) {
    strings.set(parts[i], off);
    pointers[i] = base + BigInt(off);
    off += parts[i].length + 1;
  }
  pointers[items.length] = 0n;
  return { strings, pointers };
}

function keep(..._blocks: unknown[]): void {}

function envStrings(env: Record<string, string>): string[] {
  if (env === null || typeof env !== "object") {
    throw new TypeError("Cannot spawn: env must be an object of strings");
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== "string") {
      throw new TypeError(
        `Cannot spawn: env value of ${k} must be a string, got ${typeof v}`,
      );
    }
    if (k === "" || k.includes("=") || k.includes("\0") || v.includes("\0")) {
      throw new TypeError(
        `Cannot spawn: env name ${
          JSON.stringify(k)
        } or its value is not valid (empty, "=" or NUL)`,
      );
    }
    out.push(`${k}=${v}`);
  }
  return out;
}

function currentEnviron(): Pointer {
  const sym = libc();
  if (sym.environ) return pointerAt(sym.environ);
  const ns = sym._NSGetEnviron;
  if (ns) {
    const p = ns();
    return p === null ? null : pointerAt(p);
  }
  throw new Error("Cannot spawn: this libc exports no environ, pass env");
}

function checkArgv(argv: readonly string[]): void {
  if (!Array.isArray(argv) || argv.length === 0) {
    throw new TypeError(
      "Cannot spawn: argv must be a non-empty array of strings",
    );
  }
  for (const a of argv) {
    if (typeof a !== "string") {
      throw new TypeError(
        `Cannot spawn: every argument must be a string, got ${typeof a}`,
      );
    }
    if (a.includes("\0")) {
      throw new TypeError("Cannot spawn: an argument has a NUL byte");
    }
  }
  if (argv[0] === "") {
    throw new TypeError("Cannot spawn: the program name is empty");
  }
}

function checkSlots(fds: readonly SpawnFd[]): void {
  if (!Array.isArray(fds) || fds.length !== 3) {
    throw new TypeError("Cannot spawn: fds must be [stdin, stdout, stderr]");
  }
  for (const fd of fds) {
    if (fd === "devnull" || fd === -1) continue;
    checkFd(fd as number, "use fd");
  }
}

function checkFd(fd: number, action: string): void {
  if (!Number.isInteger(fd) || fd < 0) {
    throw new RangeError(
      `Cannot ${action}: expected a non-negative integer, got ${String(fd)}`,
    );
  }
}

function cString(s: string, what = "string"): Uint8Array {
  if (typeof s !== "string" || s.includes("\0")) {
    throw new TypeError(`Cannot spawn: ${what} must be a string without NUL`);
  }
  const bytes = encoder.encode(s);
  // Off V8's heap (> 64 B) so the address stays put during the call.
  const out = new Uint8Array(Math.max(bytes.length + 1, 65));
  out.set(bytes);
  return out;
}

function spawnCheck(rc: number, call: string): void {
  if (rc !== 0) throw fromErrno(rc, `posix_spawn_${call}`);
}

function spawnError(rc: number, program: string, hasCwd: boolean) {
  const err = fromErrno(rc, "posix_spawnp");
  const where = hasCwd ? " (or its cwd)" : "";
  err.message = `Cannot spawn ${
    JSON.stringify(program)
  }${where}: ${err.code} (${strerror(rc)})`;
  return err;
}
