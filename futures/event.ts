/**
 * `Event`: asyncio's event flag that tasks can wait for.
 *
 * @module
 */

import { _inspectAsRepr } from "./_repr.ts";
import { _op, type Awaitable, lazy, ready, Wait, Waiters } from "./_wait.ts";

/**
 * A flag, initially false. `wait()` returns at once when set, else waits
 * until `set()`; `clear()` resets it. `set()` wakes every task waiting at
 * that moment, even if `clear()` follows before they resume.
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
  readonly #waiters = new Waiters<boolean>(this);
  readonly #waitOp = lazy((): Awaitable<boolean> =>
    this.#set
      ? ready(true)
      : new Wait<boolean>(this.#waiters.add("wait for an event"), null, null)
  );

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#set;
  }

  /** Set the flag and wake every waiter (nothing if already set). */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    this.#waiters.wakeAll(true);
  }

  /** Reset the flag. */
  clear(): void {
    this.#set = false;
  }

  /**
   * Wait until the flag is set; resolves to `true`. Acts when awaited: a
   * call never awaited leaves no waiter behind.
   */
  wait(): Awaitable<boolean> {
    return _op(this.#waitOp, "event.wait()");
  }

  /** asyncio's repr: `<Event [unset, waiters:2]>`. */
  toString(): string {
    const n = this.#waiters.live();
    return `<Event [${this.#set ? "set" : "unset"}${
      n > 0 ? `, waiters:${n}` : ""
    }]>`;
  }
}

_inspectAsRepr(Event);
