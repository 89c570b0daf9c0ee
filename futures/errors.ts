/**
 * The errors of futures and tasks, with asyncio's meaning.
 *
 * `TimeoutError` is the same class as the OS-level one from `poll/`, as in
 * Python 3.11 where `asyncio.TimeoutError is TimeoutError`.
 *
 * @module
 */

export { TimeoutError } from "../poll/errors.ts";

/**
 * The operation was cancelled. Thrown into a coroutine at its suspension
 * point when its task is cancelled; a future that was cancelled throws it
 * from `result()`.
 *
 * Unlike asyncio (where it derives from `BaseException`), this is an `Error`
 * subclass: JavaScript has no separate hierarchy. Code that catches every
 * error should re-throw it.
 *
 * @example Recognising cancellation
 * ```ts
 * import { CancelledError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new CancelledError("stopped by user");
 * assert.ok(err instanceof CancelledError);
 * assert.equal(err.message, "stopped by user");
 * ```
 */
export class CancelledError extends Error {
  /**
   * Create the error.
   *
   * @param message The cancel message passed to `cancel(msg)`, if any.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "CancelledError";
  }
}

/**
 * An operation is not allowed in the future's current state, for example
 * setting the result of a future that is already done.
 *
 * @example
 * ```ts
 * import { InvalidStateError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.ok(new InvalidStateError("x") instanceof Error);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Create the error.
   *
   * @param message What was wrong. */
  constructor(message: string) {
    super(message);
    this.name = "InvalidStateError";
  }
}

/**
 * A coroutine misused a task (awaiting itself, a foreign loop's future).
 *
 * @example
 * ```ts
 * import { Lock, RuntimeError } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => new Lock().release(), RuntimeError);
 * ```
 */
export class RuntimeError extends Error {
  /**
   * Create the error.
   *
   * @param message What was wrong. */
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}
