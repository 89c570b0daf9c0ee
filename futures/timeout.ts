/**
 * `timeout(delay)` and `timeoutAt(when)`: Python 3.11's asyncio timeouts.
 *
 * When the deadline passes, the current task is cancelled; on the way out
 * the `CancelledError` becomes a `TimeoutError` — but only if the timeout
 * caused it: `cancelling()`/`uncancel()` tell a cancellation from outside
 * apart, so it is never swallowed.
 *
 * @module
 */

import { _checkCallable } from "./_options.ts";
import type { HandleLike, LoopLike } from "./_loop.ts";
import { _requireLoop } from "./_loop.ts";
import { CancelledError, TimeoutError } from "./errors.ts";
import { type Coro, currentTask, type Task } from "./task.ts";
import { RuntimeError } from "./errors.ts";
import type { Awaitable } from "./_wait.ts";
import { type Outcome, scoped } from "./_scoped.ts";

const ENTERED = 0;
const EXPIRING = 1;
const EXPIRED = 2;
const EXITED = 3;

/**
 * The body of `Timeout.run()`: a generator function or an async function.
 *
 * @example A body as a variable
 * ```ts
 * import { run, timeout, type TimeoutBody } from "../mod.ts";
 * const body: TimeoutBody<number> = async () => 5;
 * console.log(await run(async () => await timeout(1).run(body)));
 * ```
 */
export type TimeoutBody<T> = (() => Coro<T>) | (() => PromiseLike<T>);

/**
 * A deadline for the code that runs inside it. Made (and entered, for the
 * current task) by {@linkcode timeout} and {@linkcode timeoutAt}.
 *
 * Two ways to use it:
 *
 * - `yield* timeout(1).run(function* () { ... })` or
 *   `await timeout(1).run(async () => ...)`: the faithful form of Python's
 *   `async with asyncio.timeout(1):` — on expiry the body's
 *   `CancelledError` becomes `TimeoutError`.
 * - `using t = timeout(1);` in a block (generator or async function). A JS
 *   limit: a dispose hook never sees the block's exception and cannot
 *   replace it. So when the deadline expired, leaving the block throws
 *   `TimeoutError`, and if the block was ended by the expiry's
 *   `CancelledError`, JavaScript wraps them in a `SuppressedError` whose
 *   `.error` is the `TimeoutError` and `.suppressed` the `CancelledError`.
 *   Dispose also cannot tell whether the block swallowed that
 *   `CancelledError`: it throws `TimeoutError` either way (Python would not).
 *   A cancellation from outside still propagates (as the `CancelledError`
 *   the block throws; dispose adds nothing). Use `run()` where callers
 *   expect a plain `TimeoutError`.
 *
 * @example Generator form: expiry becomes TimeoutError
 * ```ts
 * import { run, sleep, timeout, TimeoutError } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   try {
 *     yield* timeout(1).run(function* () {
 *       yield* sleep(10);
 *     });
 *     assert.fail("not reached");
 *   } catch (err) {
 *     assert.ok(err instanceof TimeoutError);
 *   }
 * }, { clock: "virtual" });
 * ```
 *
 * @example With `using`: the TimeoutError arrives in a SuppressedError
 * ```ts
 * import { CancelledError, run, sleep, timeout, TimeoutError } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(async () => {
 *   try {
 *     using _t = timeout(1);
 *     await sleep(10);
 *     assert.fail("not reached");
 *   } catch (err) {
 *     assert.ok(err instanceof SuppressedError);
 *     assert.ok(err.error instanceof TimeoutError);
 *     assert.ok(err.suppressed instanceof CancelledError);
 *   }
 * }, { clock: "virtual" });
 * ```
 */
export class Timeout implements Disposable {
  readonly #loop: LoopLike;
  readonly #task: Task<unknown>;
  readonly #cancelling: number;
  #when: number | null;
  #handle: HandleLike | null = null;
  #state = ENTERED;
  #used = false;

  /**
   * Enter a timeout for the current task.
   *
   * @param when Loop time of the deadline (seconds), or null for none.
   * @throws {RuntimeError} outside a task.
   */
  constructor(when: number | null) {
    this.#loop = _requireLoop("use a timeout");
    const task = currentTask();
    if (task === null) {
      throw new RuntimeError(
        "Cannot use a timeout outside a task: call it from a coroutine run by the loop",
      );
    }
    this.#task = task;
    this.#cancelling = task.cancelling();
    this.#when = null;
    this.reschedule(when);
  }

  /** The deadline (loop time in seconds), or null. */
  when(): number | null {
    return this.#when;
  }

  /** Whether the deadline passed (and the task was cancelled for it). */
  expired(): boolean {
    return this.#state === EXPIRING || this.#state === EXPIRED;
  }

  /**
   * Move the deadline (null: none).
   * @throws {RuntimeError} once the timeout expired or was exited.
   */
  reschedule(when: number | null): void {
    if (this.#state !== ENTERED) {
      throw new RuntimeError(
        `Cannot reschedule: the timeout has ${
          this.#state === EXITED ? "exited" : "expired"
        }`,
      );
    }
    if (when !== null && (typeof when !== "number" || Number.isNaN(when))) {
      throw new TypeError(
        `Cannot reschedule: when must be a loop time in seconds or null, got ${
          String(when)
        }`,
      );
    }
    this.#when = when;
    this.#handle?.cancel();
    this.#handle = null;
    if (when === null) return;
    const fire = (): void => this.#onTimeout();
    this.#handle = when <= this.#loop.time()
      ? this.#loop.callSoon(fire)
      : this.#loop.callAt(when, fire);
  }

  /**
   * Run `body` under this deadline and return its result; on expiry the
   * body's `CancelledError` becomes `TimeoutError` (its `cause`). Use once,
   * right away, in the task that made the timeout.
   *
   * @throws {TimeoutError} when the deadline passed and ended the body.
   * @throws {RuntimeError} when used twice or from another task.
   */
  run<T>(body: TimeoutBody<T>): Awaitable<T> {
    if (this.#used) {
      throw new RuntimeError("Cannot run: this timeout was used already");
    }
    if (typeof body !== "function") {
      // Disarm first: a deadline left armed would cancel whatever this
      // task awaits next.
      this.#handle?.cancel();
      this.#handle = null;
      this.#state = EXITED;
      this.#used = true;
      _checkCallable("run", "body", body);
    }
    if (currentTask() !== this.#task) {
      throw new RuntimeError(
        "Cannot run: this timeout belongs to another task, create it where it runs",
      );
    }
    this.#used = true;
    // deno-lint-ignore require-yield
    return scoped(
      body,
      undefined,
      function* (this: Timeout, o: Outcome) {
        const replaced = this.#exit(o.failed ? o.error : undefined, true);
        if (replaced !== undefined) {
          o.failed = true;
          o.error = replaced;
        }
      }.bind(this),
    );
  }

  /**
   * Leave the timeout (`using t = timeout(1)`): throws `TimeoutError` if it
   * expired. See the class doc for the `SuppressedError` caveat.
   */
  [Symbol.dispose](): void {
    const err = this.#exit(undefined, false);
    if (err !== undefined) throw err;
  }

  /** Leave; returns the error to raise, if it differs from the body's. */
  #exit(err: unknown, sawBody: boolean): unknown {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === EXPIRING) {
      this.#state = EXPIRED;
      const left = this.#task.uncancel();
      if (left <= this.#cancelling) {
        if (err instanceof CancelledError) {
          return new TimeoutError("Timed out", undefined, { cause: err });
        }
        // Without seeing the body (using), expiry itself is the error.
        if (!sawBody) return new TimeoutError("Timed out");
      }
    } else if (this.#state === ENTERED) {
      this.#state = EXITED;
    }
    return undefined;
  }

  #onTimeout(): void {
    if (this.#state !== ENTERED) return;
    this.#task.cancel();
    this.#state = EXPIRING;
  }
}

/**
 * A timeout `delay` seconds from now for the current task (null: none).
 *
 * An async function awaiting a plain host promise (`fetch`, a Deno timer)
 * when the deadline passes is interrupted only at its next await of one of
 * our futures, so the timeout ends late. Two ways to end on time: pass the
 * task's signal to the host API (`fetch(url, { signal:
 * currentTask()!.signal })` rejects with the `CancelledError`, which
 * becomes the `TimeoutError`), or await `fromPromise(promise)`.
 *
 * @throws {RuntimeError} outside a task.
 *
 * @example With an async function
 * ```ts
 * import { run, sleep, timeout } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const v = await run(async () => {
 *   return await timeout(5).run(async () => {
 *     await sleep(1);
 *     return "in time";
 *   });
 * }, { clock: "virtual" });
 * assert.equal(v, "in time");
 * ```
 */
export function timeout(delay: number | null): Timeout {
  if (delay !== null && (typeof delay !== "number" || Number.isNaN(delay))) {
    throw new TypeError(
      `Cannot set a timeout: delay must be seconds or null, got ${
        String(delay)
      }`,
    );
  }
  const loop = _requireLoop("use a timeout");
  return new Timeout(delay === null ? null : loop.time() + delay);
}

/**
 * A timeout at loop time `when` for the current task (null: none).
 *
 * @example A deadline at a loop time
 * ```ts
 * import { getRunningLoop, run, sleep, timeoutAt } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const t = timeoutAt(getRunningLoop().time() + 10);
 *   yield* t.run(function* () {
 *     yield* sleep(1);
 *   });
 *   assert.equal(t.expired(), false);
 * }, { clock: "virtual" });
 * ```
 */
export function timeoutAt(when: number | null): Timeout {
  return new Timeout(when);
}
