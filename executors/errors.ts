/**
 * The errors of executors, as `concurrent.futures` names them.
 *
 * An error thrown by the work itself is not wrapped: the caller gets an
 * error of the same class (when the class is a built-in or one of this
 * module's; otherwise an `Error` whose `name` is the worker's class name),
 * with the worker's message and stack.
 *
 * @module
 */

import { RuntimeError } from "../futures/errors.ts";

/**
 * The executor cannot run work any more: one of its workers died, or an
 * initializer failed. Its pending futures fail with it and it refuses new
 * work; make a new executor.
 *
 * @example
 * ```ts
 * import { BrokenExecutor, BrokenThreadPool } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.ok(new BrokenThreadPool("x") instanceof BrokenExecutor);
 * ```
 */
export class BrokenExecutor extends RuntimeError {
  /**
   * Create the error.
   *
   * @param message What broke.
   * @param options.cause The worker's error, if there was one.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = new.target.name;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A `ThreadPoolExecutor` thread died (a Worker that threw at top level or
 * let an error escape) or its initializer failed.
 *
 * @example
 * ```ts
 * import { BrokenThreadPool } from "../mod.ts";
 * console.log(new BrokenThreadPool("a thread died").name); // "BrokenThreadPool"
 * ```
 */
export class BrokenThreadPool extends BrokenExecutor {}

/**
 * A `ProcessPoolExecutor` child process died (killed by a signal, exited)
 * or its initializer failed.
 *
 * @example
 * ```ts
 * import { BrokenProcessPool } from "../mod.ts";
 * console.log(new BrokenProcessPool("a child died").name); // "BrokenProcessPool"
 * ```
 */
export class BrokenProcessPool extends BrokenExecutor {}
