/**
 * The fd census of the Node/Bun smoke programs (Linux, no `Deno.*`): the
 * number of open fds, and on Bun the selectors' waiter Worker started first
 * (it is kept for reuse and holds fds of Bun's own, which are no leak).
 *
 * @module
 */

import { readdirSync } from "node:fs";
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
