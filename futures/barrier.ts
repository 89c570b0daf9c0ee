/**
 * `Barrier`: asyncio's barrier (Python 3.11): `parties` tasks wait until all
 * have arrived, then all go on together.
 *
 * @module
 */

import { _inspectAsRepr } from "./_repr.ts";
import { Condition } from "./condition.ts";
import type { Coro } from "./task.ts";
import type { Awaitable } from "./_wait.ts";
import { dual } from "./_dual.ts";

/**
 * The barrier was aborted or reset while a task waited on it.
 *
 * @example
 * ```ts
 * import { BrokenBarrierError } from "../mod.ts";
 * new BrokenBarrierError("Barrier aborted");
 * ```
 */
export class BrokenBarrierError extends Error {
  /**
   * Create the error.
   *
   * @param message What happened.
   */
  constructor(message: string = "Barrier aborted") {
    super(message);
    this.name = "BrokenBarrierError";
  }
}

const FILLING = 0;
const DRAINING = 1;
const RESETTING = 2;
const BROKEN = 3;
const STATE_NAMES = ["filling", "draining", "resetting", "broken"] as const;

/**
 * A meeting point for `parties` tasks. Each `wait()` resolves to the
 * arrival index (0 .. parties-1) once all have arrived; the barrier then
 * refills for the next round.
 *
 * @example
 * ```ts
 * import { Barrier, createTask, gather, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const indices = await run(function* () {
 *   const b = new Barrier(3);
 *   const ts = [0, 1, 2].map(() => createTask(() => b.wait()));
 *   return yield* gather(...ts);
 * });
 * assert.deepEqual([...indices].sort(), [0, 1, 2]);
 * ```
 */
export class Barrier {
  readonly #parties: number;
  readonly #cond = new Condition();
  #count = 0;
  #state = FILLING;

  /**
   * Create a barrier.
   *
   * @param parties How many tasks must arrive (an integer >= 1).
   * @throws {RangeError} otherwise.
   */
  constructor(parties: number) {
    if (!Number.isInteger(parties) || parties < 1) {
      throw new RangeError(
        `Cannot create a barrier: parties must be an integer >= 1, got ${parties}`,
      );
    }
    this.#parties = parties;
  }

  /** How many tasks must arrive. */
  get parties(): number {
    return this.#parties;
  }

  /** How many tasks wait now (while the barrier fills). */
  get nWaiting(): number {
    return this.#state === FILLING ? this.#count : 0;
  }

  /** Whether the barrier is broken (aborted). */
  get broken(): boolean {
    return this.#state === BROKEN;
  }

  /**
   * Where the barrier is in its cycle (asyncio's `_state`): `"filling"`
   * while tasks arrive, `"draining"` while they leave, `"resetting"` after
   * `reset()` until the waiters left, `"broken"` after `abort()`.
   */
  get state(): "filling" | "draining" | "resetting" | "broken" {
    return STATE_NAMES[this.#state];
  }

  /** asyncio's repr: `<Barrier [filling, waiters:1/3]>`. */
  toString(): string {
    return `<Barrier [${this.state}${
      this.#state === BROKEN
        ? ""
        : `, waiters:${this.nWaiting}/${this.#parties}`
    }]>`;
  }

  /**
   * Wait until `parties` tasks have called `wait()`; resolves to this
   * task's arrival index.
   *
   * @throws {BrokenBarrierError} if the barrier is or becomes broken or reset.
   */
  wait(): Awaitable<number> {
    return dual(() => this.#wait(), "Barrier.wait");
  }

  /**
   * Return the barrier to its empty state; tasks waiting get
   * `BrokenBarrierError`.
   */
  reset(): Awaitable<void> {
    return dual(() => this.#reset(), "Barrier.reset");
  }

  /**
   * Break the barrier: current and future `wait()` calls fail with
   * `BrokenBarrierError`.
   */
  abort(): Awaitable<void> {
    return dual(() => this.#abort(), "Barrier.abort");
  }

  *#reset(): Coro<void> {
    using _held = yield* this.#cond.hold();
    this.#state = this.#count > 0 ? RESETTING : FILLING;
    this.#cond.notifyAll();
  }

  *#abort(): Coro<void> {
    using _held = yield* this.#cond.hold();
    this.#state = BROKEN;
    this.#cond.notifyAll();
  }

  *#wait(): Coro<number> {
    using _held = yield* this.#cond.hold();
    // Wait while the previous round drains or a reset completes.
    yield* this.#cond.waitFor(() =>
      this.#state !== DRAINING && this.#state !== RESETTING
    );
    if (this.#state === BROKEN) throw new BrokenBarrierError();
    const index = this.#count++;
    try {
      if (index + 1 === this.#parties) {
        this.#state = DRAINING;
        this.#cond.notifyAll();
      } else {
        yield* this.#cond.waitFor(() => this.#state !== FILLING);
        if (this.#state === BROKEN || this.#state === RESETTING) {
          throw new BrokenBarrierError(
            this.#state === BROKEN ? "Barrier aborted" : "Barrier reset",
          );
        }
      }
      return index;
    } finally {
      this.#count--;
      if (this.#count === 0) {
        if (this.#state === RESETTING || this.#state === DRAINING) {
          this.#state = FILLING;
        }
        this.#cond.notifyAll();
      }
    }
  }
}

_inspectAsRepr(Barrier);
