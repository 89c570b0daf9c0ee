/**
 * Work that reaches back to the caller's loop from a pool thread, for the
 * `LoopPort` documentation: `askLoop` runs on the thread, `addLater` on
 * the loop at the other end of the port.
 *
 * @module
 */

import { work } from "../executors/work.ts";
import { runCoroutineThreadsafe } from "../executors/threadsafe.ts";
import type { RemoteLoop } from "../executors/loop_port.ts";
import { sleep } from "../futures/sleep.ts";

/** `a + b`, after a short sleep on the loop it runs on. */
export function* addLater(a: number, b: number): Generator<unknown, number> {
  yield* sleep(0.001);
  return a + b;
}
/** `addLater` as work. */
export const addLaterWork = work<typeof addLater>(import.meta.url, "addLater");

/** On a pool thread: ask the loop at the other end of `remote` for 2 + 3. */
export async function askLoop(remote: RemoteLoop): Promise<number> {
  return await runCoroutineThreadsafe(addLaterWork, remote, 2, 3);
}
/** `askLoop` as work. */
export const askLoopWork = work<typeof askLoop>(import.meta.url, "askLoop");
