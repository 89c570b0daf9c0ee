/**
 * The fd census of the Node/Bun smoke programs (Linux, no `Deno.*`): the
 * number of open fds, and on Bun the selectors' waiter Worker started first
 * (it is kept for reuse and holds fds of Bun's own, which are no leak).
 *
 * @module
 */

import { readdirSync, readlinkSync } from "node:fs";
import { close, pipe } from "../../poll/mod.ts";
import { libraryName } from "../../poll/_libc.ts";
import { waitReadable } from "../../poll/_bun_waiter.ts";
import { runtime } from "../../poll/_runtime.ts";

/** How many fds this process has open. */
export const openFds = (): number => readdirSync("/proc/self/fd").length;

/** On Bun, start the waiter Worker before a census; elsewhere nothing. */
export async function startBunWaiter(): Promise<void> {
  if (runtime !== "bun") return;
  const [r, w] = pipe();
  await waitReadable(libraryName(), r, 0);
  close(r);
  close(w);
}

/**
 * Assert that no fd leaked since a census gave `before`: waits up to 1 s
 * for fds still closing, then fails if more are open, naming them. Fewer
 * is no leak: Bun closes fds of its own (its Workers') at moments of its
 * own choosing, so a census taken before that counts one it later drops.
 */
export async function assertNoFdLeaked(before: number): Promise<void> {
  const deadline = performance.now() + 1000;
  while (openFds() > before && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const now = openFds();
  if (now > before) {
    const names = readdirSync("/proc/self/fd").map((fd) => {
      try {
        return `${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`;
      } catch {
        return fd;
      }
    });
    throw new Error(
      `an fd leaked: ${before} open before, ${now} now:\n${names.join("\n")}`,
    );
  }
}
