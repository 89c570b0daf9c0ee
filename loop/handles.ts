/**
 * `Handle` and `TimerHandle`: callbacks scheduled on the loop, as returned by
 * `callSoon`, `callLater` and `callAt`.
 *
 * @module
 */

import type { ExceptionContext } from "../futures/_loop.ts";

/** The part of the loop a timer handle reports to. @internal */
export interface HandleOwner {
  _timerHandleCancelled(handle: TimerHandle): void;
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
  /**
   * @internal
   * @ignore
   */
  declare _callback: ((...args: never[]) => unknown) | null;
  /**
   * @internal
   * @ignore
   */
  declare _args: unknown[];
  /**
   * @internal
   * @ignore
   */
  declare _cancelled: boolean;
  /**
   * @internal Where it was scheduled; set in debug mode only, so the
   * millions of handles of a busy loop stay three fields small.
   * @ignore
   */
  declare _source?: string;

  /** @internal */
  constructor(callback: (...args: never[]) => unknown, args: unknown[]) {
    this._callback = callback;
    this._args = args;
    this._cancelled = false;
  }

  /** Prevent the callback from running. Does nothing if it already ran. */
  cancel(): void {
    if (!this._cancelled) {
      this._cancelled = true;
      // Drop references so a cancelled handle keeps nothing alive.
      this._callback = null;
      this._args = [];
    }
  }

  /** Whether `cancel()` was called. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** The callback's name, for reports. */
  toString(): string {
    const name = this._callback?.name || "<anonymous>";
    return `<${this.constructor.name} ${
      this._cancelled ? "cancelled" : name + "()"
    }>`;
  }

  /**
   * Run the callback; the loop catches what it throws. @internal
   * @ignore
   */
  _run(): void {
    const cb = this._callback as (...args: unknown[]) => unknown;
    if (this._args.length === 0) cb();
    else cb(...this._args);
  }

  /**
   * The exception-handler context for an error thrown by the callback. @internal
   * @ignore
   */
  _errorContext(err: unknown): ExceptionContext {
    return {
      message: `Exception in callback ${this}`,
      exception: err,
      handle: this,
      sourceTraceback: this._source,
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
   * @internal
   * @ignore
   */
  declare readonly _when: number;
  /**
   * @internal Ties between equal deadlines break in scheduling order.
   * @ignore
   */
  declare readonly _seq: number;
  /**
   * @internal Whether it sits in the loop's timer heap.
   * @ignore
   */
  declare _scheduled: boolean;
  /**
   * @internal
   * @ignore
   */
  declare readonly _owner: HandleOwner;

  /** @internal */
  constructor(
    when: number,
    seq: number,
    callback: (...args: never[]) => unknown,
    args: unknown[],
    owner: HandleOwner,
  ) {
    super(callback, args);
    this._when = when;
    this._seq = seq;
    this._scheduled = false;
    this._owner = owner;
  }

  /** The loop time (seconds) the callback is scheduled for. */
  when(): number {
    return this._when;
  }

  /** Prevent the callback from running; the loop drops it lazily. */
  override cancel(): void {
    if (!this._cancelled && this._scheduled) {
      this._owner._timerHandleCancelled(this);
    }
    super.cancel();
  }
}
