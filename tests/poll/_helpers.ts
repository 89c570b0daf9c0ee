/**
 * Shared helpers for poll/ tests: the selector classes that run here, and an
 * open-fd counter to prove nothing leaks.
 *
 * @module
 */

import {
  EpollSelector,
  KqueueSelector,
  PollSelector,
  type Selector,
  SelectSelector,
} from "../../mod.ts";
import { libc } from "../../poll/_libc.ts";

/** Selector classes available on this OS, by name. */
export const SELECTORS: Array<[string, new () => Selector<unknown>]> = [
  ["SelectSelector", SelectSelector],
  ["PollSelector", PollSelector],
  ...(Deno.build.os === "linux"
    ? [
      ["EpollSelector", EpollSelector] as [string, new () => Selector<unknown>],
    ]
    : []),
  ...(Deno.build.os === "darwin" || Deno.build.os === "freebsd"
    ? [["KqueueSelector", KqueueSelector] as [
      string,
      new () => Selector<unknown>,
    ]]
    : []),
];

/**
 * How many fds below 4096 this process has open. Probed with
 * fcntl(F_GETFD), since Deno 2.9 wants --allow-all to read /proc/self/fd.
 */
export function openFds(): number {
  const { fcntl } = libc();
  const F_GETFD = 1;
  let n = 0;
  for (let fd = 0; fd < 4096; fd++) if (fcntl(fd, F_GETFD, 0) !== -1) n++;
  return n;
}

/** Run `fn` and assert it leaves the open-fd count unchanged. */
export async function noLeak(fn: () => void | Promise<void>): Promise<void> {
  const before = openFds();
  await fn();
  const after = openFds();
  if (after !== before) {
    throw new Error(`fd leak: ${before} open before, ${after} after`);
  }
}
