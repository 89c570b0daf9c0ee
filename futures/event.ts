/**
 * `Event`: asyncio's event flag that tasks can wait for.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import { Future } from "./future.ts";
import { type Awaitable, ready, Wait } from "./_wait.ts";

/**
 * A flag, initially false. `wait()` returns at once when set, else waits
 * until `set()`; `clear()` resets it.
 *
 * @example
 * ```ts
 * import { createTask, Event, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(async () => {
 *   const ev = new Event();
 *   const waiter = createTask(async () => await ev.wait());
 *   await sleep(0);
 *   ev.set();
 *   assert.equal(await waiter, true);
 *   assert.ok(ev.isSet());
 * });
 * ```
 */
export class Event {
  #set = false;
  #waiters: Future<boolean>[] = [];

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#set;
  }

  /** Set the flag and wake every waiter. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) if (!w.done()) w.setResult(true);
  }

  /** Reset the flag. */
  clear(): void {
    this.#set = false;
  }

  /** Wait until the flag is set; resolves to `true`. */
  wait(): Awaitable<boolean> {
    if (this.#set) return ready(true);
    const fut = new Future<boolean>({
      loop: _requireLoop("wait for an event"),
    });
    this.#waiters.push(fut);
    return new Wait<boolean>(fut, null, null);
  }
}
