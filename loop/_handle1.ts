/**
 * `Handle1`: the handle of a callback with exactly one argument, which the
 * loop makes for `addReader(fd, fn, arg)`/`addWriter(fd, fn, arg)` (a
 * transport's reader is a shared static function and the transport). It
 * keeps the argument in a field instead of an arguments array: each of
 * 10,000 idle connections is 48 bytes smaller.
 *
 * @module
 */

import { Handle, NO_ARGS } from "./handles.ts";
import * as loopKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _arg: typeof loopKeys._arg = loopKeys._arg;
const _callback: typeof loopKeys._callback = loopKeys._callback;
const _run: typeof loopKeys._run = loopKeys._run;

/**
 * A `Handle` whose callback takes one argument, held without an array.
 * @internal
 */
export class Handle1 extends Handle {
  /**
   * @internal
   * @ignore
   */
  declare [_arg]: unknown;

  /** @internal */
  constructor(callback: (arg: never) => unknown, arg: unknown) {
    super(callback, NO_ARGS);
    this[_arg] = arg;
  }

  /** Prevent the callback from running; drops the argument too. */
  override cancel(): void {
    super.cancel();
    this[_arg] = undefined;
  }

  /**
   * Run the callback with its argument. @internal
   * @ignore
   */
  override [_run](): void {
    (this[_callback] as (arg: unknown) => unknown)(this[_arg]);
  }
}
