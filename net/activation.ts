/**
 * Socket activation (systemd's `sd_listen_fds`): the listening sockets a
 * service manager passed to this process as fds 3, 4, ... with
 * `LISTEN_PID` and `LISTEN_FDS` in the environment. Deno's own API cannot
 * serve on an inherited fd (denoland/deno#14006); `createServer(loop,
 * factory, null, null, { sock })` can.
 *
 * @module
 */

import { fcntl } from "../poll/_libc.ts";
import { check } from "../poll/_syscall.ts";
import { envRead, pid as ourPid } from "../poll/_runtime.ts";
import { Socket } from "./socket.ts";

/** The first passed fd (`SD_LISTEN_FDS_START`). */
const FIRST_FD = 3;
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/**
 * Options of {@linkcode listenFds}.
 *
 * @example
 * ```ts
 * import type { ListenFdsOptions } from "../mod.ts";
 * const opts: ListenFdsOptions = { env: { LISTEN_PID: "1", LISTEN_FDS: "0" } };
 * console.log(opts);
 * ```
 */
export interface ListenFdsOptions {
  /**
   * The variables to read (default: the process environment, which needs
   * `--allow-env=LISTEN_PID,LISTEN_FDS,LISTEN_FDNAMES` on Deno).
   */
  env?: Record<string, string | undefined>;
  /** Our process id (default: this process's). */
  pid?: number;
  /**
   * The first passed fd (default 3, systemd's `SD_LISTEN_FDS_START`);
   * another value serves tests, where fd 3 belongs to the runtime.
   */
  firstFd?: number;
}

/**
 * The sockets passed by socket activation, as our non-blocking
 * close-on-exec `Socket`s (empty when none were passed to this process).
 * Names from `LISTEN_FDNAMES` are in `names`, index for index.
 *
 * @throws {RangeError} for a malformed `LISTEN_FDS`.
 *
 * @example Adopting activated sockets (none here)
 * ```ts
 * import { listenFds } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const { sockets } = listenFds({ env: {} });
 * assert.deepEqual(sockets, []);
 * ```
 */
export function listenFds(
  options: ListenFdsOptions = {},
): { sockets: Socket[]; names: string[] } {
  const env = options.env ?? {
    LISTEN_PID: envRead("LISTEN_PID"),
    LISTEN_FDS: envRead("LISTEN_FDS"),
    LISTEN_FDNAMES: envRead("LISTEN_FDNAMES"),
  };
  const pid = options.pid ?? ourPid();
  if (env.LISTEN_PID === undefined || Number(env.LISTEN_PID) !== pid) {
    return { sockets: [], names: [] };
  }
  const count = Number(env.LISTEN_FDS ?? "0");
  if (!Number.isInteger(count) || count < 0 || count > 1024) {
    throw new RangeError(
      `Cannot adopt activated sockets: LISTEN_FDS must be a small non-negative integer, got ${
        JSON.stringify(env.LISTEN_FDS)
      }`,
    );
  }
  const names = (env.LISTEN_FDNAMES ?? "").split(":");
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const fd = (options.firstFd ?? FIRST_FD) + i;
    check(fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl", fd);
    sockets.push(new Socket({ fileno: fd }));
  }
  return { sockets, names: names.slice(0, count) };
}
