/**
 * `Handle` and `TimerHandle`: callbacks scheduled on the loop, as returned by
 * `callSoon`, `callLater` and `callAt`.
 *
 * @module
 */

import type { ExceptionContext } from "../futures/_loop.ts";
import * as loopKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _args: typeof loopKeys._args = loopKeys._args;
const _callback: typeof loopKeys._callback = loopKeys._callback;
const _errorContext: typeof loopKeys._errorContext = loopKeys._errorContext;
const _owner: typeof loopKeys._owner = loopKeys._owner;
const _run: typeof loopKeys._run = loopKeys._run;
const _source: typeof loopKeys._source = loopKeys._source;
const _timerHandleCancelled: typeof loopKeys._timerHandleCancelled =
  loopKeys._timerHandleCancelled;
const _when0: typeof loopKeys._when0 = loopKeys._when0;
const _when1: typeof loopKeys._when1 = loopKeys._when1;

/**
 * @internal The arguments of a handle that has none (or was cancelled):
 * shared, so no handle keeps an empty array of its own.
 * @ignore
 */
export const NO_ARGS: unknown[] = [];

// A deadline is kept as the two 32-bit words of its double: in a field, a
// double is a pointer to a 16-byte box of its own, a second object per
// pending timer for every scavenge to copy, where two int32 words are two
// small integers (Smis) in the handle itself. Written and read through the
// same views, the words rebuild the double exactly on any byte order.
const wordsF64 = new Float64Array(1);
const wordsI32 = new Int32Array(wordsF64.buffer);

/**
 * @internal The deadline of a timer handle (`h.when()`, without a call).
 * @ignore
 */
export function whenOf(h: TimerHandle): number {
  wordsI32[0] = h[_when0];
  wordsI32[1] = h[_when1];
  return wordsF64[0];
}

/** The part of the loop a timer handle reports to. @internal */
export interface HandleOwner {
  [_timerHandleCancelled](handle: TimerHandle): void;
}

/**
 * A callback scheduled with `callSoon` (or for an fd with `addReader`).
 *
 * @example Cancelling a scheduled callback
 * ```ts
 * import { newEventLoop } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop();
 * const calls: string[] = [];
 * const h = loop.callSoon(() => calls.push("never"));
 * h.cancel();
 * loop.callSoon(() => loop.stop());
 * await loop.runForever();
 * loop.close();
 * assert.deepEqual(calls, []);
 * assert.ok(h.cancelled());
 * ```
 */
export class Handle {
  // Fields are assigned in the constructors, not by initializers: a class
  // field initializer defines a property per object, and making 200,000
  // such two-level objects took ~15% longer that way in a cold process.
  // Few fields (cancelled is a null callback): 200,000 pending timers are
  // copied by every scavenge they survive, so each field costs.
  /**
   * @internal Null once cancelled.
   * @ignore
   */
  declare [_callback]: ((...args: never[]) => unknown) | null;
  /**
   * @internal An own property only when there are arguments: the others
   * read the prototype's NO_ARGS, and are a field (8 bytes) smaller.
   * @ignore
   */
  declare [_args]: unknown[];

  static {
    this.prototype[_args] = NO_ARGS;
  }
  /**
   * @internal Where it was scheduled; set in debug mode only, so the
   * millions of handles of a busy loop stay small.
   * @ignore
   */
  declare [_source]?: string;

  /** @internal */
  constructor(callback: (...args: never[]) => unknown, args: unknown[]) {
    this[_callback] = callback;
    if (args !== NO_ARGS) this[_args] = args;
  }

  /** Prevent the callback from running. Does nothing if it already ran. */
  cancel(): void {
    // Dropping the references also marks it cancelled, and keeps nothing
    // alive. (Writing NO_ARGS over the prototype's would add a field.)
    this[_callback] = null;
    if (this[_args] !== NO_ARGS) this[_args] = NO_ARGS;
  }

  /** Whether `cancel()` was called. */
  cancelled(): boolean {
    return this[_callback] === null;
  }

  /** The callback's name, for reports. */
  toString(): string {
    const name = this[_callback]?.name || "<anonymous>";
    return `<${this.constructor.name} ${
      this[_callback] === null ? "cancelled" : name + "()"
    }>`;
  }

  /**
   * Run the callback; the loop catches what it throws. @internal
   * @ignore
   */
  [_run](): void {
    const cb = this[_callback] as (...args: unknown[]) => unknown;
    if (this[_args].length === 0) cb();
    else cb(...this[_args]);
  }

  /**
   * The exception-handler context for an error thrown by the callback. @internal
   * @ignore
   */
  [_errorContext](err: unknown): ExceptionContext {
    return {
      message: `Exception in callback ${this}`,
      exception: err,
      handle: this,
      sourceTraceback: this[_source],
    };
  }
}

/**
 * A callback scheduled for a time, returned by `callLater` and `callAt`.
 *
 * @example
 * ```ts
 * import { newEventLoop } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop({ clock: "virtual" });
 * const h = loop.callLater(10, () => loop.stop());
 * assert.equal(h.when(), loop.time() + 10);
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class TimerHandle extends Handle {
  /**
   * @internal The first 32-bit word of the deadline's double (whenOf()).
   * @ignore
   */
  declare readonly [_when0]: number;
  /**
   * @internal The second 32-bit word of the deadline's double.
   * @ignore
   */
  declare readonly [_when1]: number;
  /**
   * @internal The loop whose timer heap holds it; null when it is in no
   * heap (fired, dropped, or an infinite delay). One field for both.
   * @ignore
   */
  declare [_owner]: HandleOwner | null;

  /** @internal */
  constructor(
    when: number,
    callback: (...args: never[]) => unknown,
    args: unknown[],
  ) {
    super(callback, args);
    wordsF64[0] = when;
    this[_when0] = wordsI32[0];
    this[_when1] = wordsI32[1];
    this[_owner] = null;
  }

  /** The loop time (seconds) the callback is scheduled for. */
  when(): number {
    return whenOf(this);
  }

  /** Prevent the callback from running; the loop drops it lazily. */
  override cancel(): void {
    if (this[_owner] !== null && this[_callback] !== null) {
      this[_owner][_timerHandleCancelled](this);
    }
    super.cancel();
  }
}
