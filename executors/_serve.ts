/**
 * One message of the pool protocol handled on the worker's side, whatever
 * carries it (a Worker's postMessage or a child process's pipe).
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./_wire.ts";
import { toWire } from "./_wire.ts";
import { callWork, resolveWork } from "./_run_work.ts";

/** Run `msg` and return the reply to send. @internal */
export async function serve(
  msg: Exclude<ToWorker, { t: "bell" | "slot" | "exit" }>,
): Promise<FromWorker> {
  if (msg.t === "init") {
    try {
      if (msg.work !== null) {
        await callWork(await resolveWork(msg.work), msg.args);
      }
      return { t: "ready" };
    } catch (err) {
      return { t: "initFailed", error: toWire(err) };
    }
  }
  try {
    const fn = await resolveWork(msg.work);
    if (msg.t === "job") {
      return { t: "ok", id: msg.id, value: await callWork(fn, msg.args) };
    }
    const out: unknown[] = [];
    for (const args of msg.args) out.push(await callWork(fn, args));
    return { t: "ok", id: msg.id, value: out };
  } catch (err) {
    return { t: "err", id: msg.id, error: toWire(err) };
  }
}
