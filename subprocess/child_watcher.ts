/**
 * Observing a child's exit on the loop, without polling and without ever
 * reaping a process we did not spawn (`Deno.Command`'s children are Deno's):
 *
 * - Linux: a pidfd registered as a reader; when it becomes readable,
 *   `waitid(P_PIDFD)` reaps exactly that child (asyncio's
 *   `PidfdChildWatcher`). No SIGCHLD involved.
 * - macOS/BSD: a kqueue of its own with `EVFILT_PROC`/`NOTE_EXIT` for the
 *   pid, registered as a reader (a kqueue fd is pollable), then
 *   `waitpid(pid)`. Written to the documented ABI, not run here (no macOS).
 * - Elsewhere (or pidfd refused): `waitpid(pid, WNOHANG)` for each watched
 *   pid whenever the host reports SIGCHLD, plus once right away.
 *
 * @module
 */

import { close } from "../poll/fd.ts";
import { errno, libc, os } from "../poll/_libc.ts";
import { errnoOf, fromErrno } from "../poll/errors.ts";
import { listenHostSignal } from "../poll/_host_signal.ts";
import {
  hasPidfd,
  pidfdOpen,
  waitPidfd,
  waitpidNoHang,
} from "../poll/spawn.ts";
import type { SubprocessLoop } from "./_loop.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;

/** Called once with the child's returncode (exit status, or -signal). */
export type ExitCallback = (returncode: number) => void;

/**
 * How exits are observed here: `"pidfd"`, `"kqueue"` or `"sigchld"`.
 * `ASYNCIO_CHILD_WATCHER=sigchld` is not read: tests pass `mechanism`
 * explicitly instead, so no environment permission is needed.
 * @internal
 */
export type WatchMechanism = "pidfd" | "kqueue" | "sigchld";

/** The mechanism this OS supports best. @internal */
export function defaultMechanism(): WatchMechanism {
  if (hasPidfd()) return "pidfd";
  if (os === "darwin" || os === "freebsd") return "kqueue";
  return "sigchld";
}

/**
 * Call `onExit(returncode)` on `loop` once child `pid` (spawned by us, not
 * reaped yet) has exited, and reap it. Returns a function that stops
 * watching without reaping (the caller then owns the zombie).
 *
 * @throws {OSError} if the watch cannot be set up (e.g. EMFILE); nothing is
 *   left registered then.
 * @internal
 */
export function watchChild(
  loop: SubprocessLoop,
  pid: number,
  onExit: ExitCallback,
  mechanism: WatchMechanism = defaultMechanism(),
): () => void {
  switch (mechanism) {
    case "pidfd":
      return watchPidfd(loop, pid, onExit);
    case "kqueue":
      return watchKqueue(loop, pid, onExit);
    case "sigchld":
      return watchSigchld(loop, pid, onExit);
  }
}

function watchPidfd(
  loop: SubprocessLoop,
  pid: number,
  onExit: ExitCallback,
): () => void {
  const pidfd = pidfdOpen(pid);
  let open = true;
  const stop = () => {
    if (!open) return;
    open = false;
    loop.removeReader(pidfd);
    close(pidfd);
  };
  try {
    loop.addReader(pidfd, () => {
      const code = waitPidfd(pidfd, false);
      if (code === null) return; // not exited after all: keep watching
      stop();
      onExit(code);
    });
  } catch (err) {
    close(pidfd);
    throw err;
  }
  return stop;
}

// ---- kqueue (macOS, FreeBSD) ---------------------------------------------

// struct kevent (<sys/event.h>): ident u64 @0, filter i16 @8, flags u16 @10,
// fflags u32 @12, data i64 @16, udata @24; 32 B on macOS, 64 B on FreeBSD 12+.
const KEVENT_SIZE = os === "freebsd" ? 64 : 32;
const EVFILT_PROC = -5;
const EV_ADD = 0x1;
const EV_ONESHOT = 0x10;
const NOTE_EXIT = 0x80000000;

function watchKqueue(
  loop: SubprocessLoop,
  pid: number,
  onExit: ExitCallback,
): () => void {
  const sym = libc();
  const kq = sym.kqueue!();
  if (kq === -1) throw fromErrno(errno(), "kqueue");
  const change = new DataView(new ArrayBuffer(KEVENT_SIZE));
  change.setBigUint64(0, BigInt(pid), true);
  change.setInt16(8, EVFILT_PROC, true);
  change.setUint16(10, EV_ADD | EV_ONESHOT, true);
  change.setUint32(12, NOTE_EXIT, true);
  const none = new Uint8Array(KEVENT_SIZE);
  if (sym.kevent!(kq, new Uint8Array(change.buffer), 1, none, 0, null) === -1) {
    const e = errno();
    close(kq);
    // ESRCH: it exited and is a zombie already; reap it on the next turn.
    if (e === errnoOf("ESRCH")) return watchSigchld(loop, pid, onExit);
    throw fromErrno(e, "kevent", kq);
  }
  let open = true;
  const stop = () => {
    if (!open) return;
    open = false;
    loop.removeReader(kq);
    close(kq);
  };
  loop.addReader(kq, () => {
    const code = waitpidNoHang(pid);
    if (code === null) return;
    stop();
    onExit(code);
  });
  return stop;
}

// ---- SIGCHLD fallback ------------------------------------------------------

interface Watch {
  loop: SubprocessLoop;
  onExit: ExitCallback;
}

const watched = new Map<number, Watch>();
let unlisten: (() => void) | null = null;

function watchSigchld(
  loop: SubprocessLoop,
  pid: number,
  onExit: ExitCallback,
): () => void {
  if (unlisten === null) {
    unlisten = listenHostSignal("SIGCHLD", () => {
      // Host callback: hop onto each watching loop.
      for (const w of new Set([...watched.values()].map((w) => w.loop))) {
        if (!w.isClosed()) w.callSoonThreadsafe(reapWatched, w);
      }
    });
  }
  watched.set(pid, { loop, onExit });
  // The listener runs on host turns only.
  loop[_hostRef](1);
  // It may have exited before the listener existed.
  loop.callSoon(reapWatched, loop);
  return () => unwatch(pid);
}

function unwatch(pid: number): void {
  const w = watched.get(pid);
  if (w === undefined) return;
  watched.delete(pid);
  w.loop[_hostRef](-1);
  if (watched.size === 0 && unlisten !== null) {
    unlisten();
    unlisten = null;
  }
}

function reapWatched(loop: SubprocessLoop): void {
  for (const [pid, w] of [...watched]) {
    if (w.loop !== loop) continue;
    const code = waitpidNoHang(pid);
    if (code === null) continue;
    unwatch(pid);
    w.onExit(code);
  }
}

/** For tests: the pids the SIGCHLD fallback still watches. @internal */
export function _sigchldWatched(): number {
  return watched.size;
}
