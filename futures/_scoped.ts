/**
 * The shape of Python's `async with` for bodies given as callbacks: run a
 * body (a generator function inline, or an async function in the current
 * task), then an exit step that sees how the body ended and decides what to
 * raise. Used by `Timeout.run()` and `TaskGroup.run()`; awaitable with
 * `yield*` and `await`.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import { CancelledError, RuntimeError } from "./errors.ts";
import { type Coro, currentTask, Task } from "./task.ts";
import type { Awaitable } from "./_wait.ts";

/**
 * A body: a generator function or an async function of `arg`.
 *
 * @example
 * ```ts
 * import { run, type ScopeBody, TaskGroup } from "../mod.ts";
 * const body: ScopeBody<TaskGroup, number> = function* (tg) {
 *   tg.createTask(function* () {});
 *   return 1;
 * };
 * console.log(await run(() => TaskGroup.run(body))); // 1
 * ```
 */
export type ScopeBody<A, T> =
  | ((arg: A) => Coro<T>)
  | ((arg: A) => PromiseLike<T>);

/**
 * How the body ended: `ok`, or `failed` with `error`. The exit step may set
 * `after`: run once the exit step is over, in the caller's task, just before
 * the outcome is delivered (a re-cancel that must reach the caller itself).
 * @internal
 */
export interface Outcome {
  failed: boolean;
  error: unknown;
  after: (() => void) | null;
}

function isGeneratorFunction(fn: unknown): boolean {
  return typeof fn === "function" &&
    Object.prototype.toString.call(fn) === "[object GeneratorFunction]";
}

class Scoped<A, T> implements Awaitable<T> {
  readonly #body: ScopeBody<A, T>;
  readonly #arg: A;
  readonly #exit: (outcome: Outcome) => Coro<void>;
  #started = false;

  constructor(
    body: ScopeBody<A, T>,
    arg: A,
    exit: (outcome: Outcome) => Coro<void>,
  ) {
    this.#body = body;
    this.#arg = arg;
    this.#exit = exit;
  }

  [Symbol.iterator](): Coro<T> {
    this.#start();
    return this.#inline();
  }

  *#inline(): Coro<T> {
    const outcome: Outcome = { failed: false, error: undefined, after: null };
    let result: T | undefined;
    try {
      result = isGeneratorFunction(this.#body)
        ? yield* (this.#body as (a: A) => Coro<T>)(this.#arg)
        // An async body in a generator task runs as a child task, so this
        // task's cancellation reaches it.
        : yield* new Task(
          () => (this.#body as (a: A) => PromiseLike<T>)(this.#arg),
          {
            loop: _requireLoop("run a body"),
          },
        );
    } catch (err) {
      outcome.failed = true;
      outcome.error = err;
    }
    yield* this.#exit(outcome);
    outcome.after?.();
    if (outcome.failed) throw outcome.error;
    return result as T;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#start();
    // Runs in the awaiting task's async context: its awaits are that task's.
    const go = async (): Promise<T> => {
      const loop = _requireLoop("run a body");
      const outcome: Outcome = { failed: false, error: undefined, after: null };
      let result: T | undefined;
      try {
        result = isGeneratorFunction(this.#body)
          ? await new Task(() => (this.#body as (a: A) => Coro<T>)(this.#arg), {
            loop,
          })
          : await (this.#body as (a: A) => PromiseLike<T>)(this.#arg);
      } catch (err) {
        outcome.failed = true;
        outcome.error = err;
      }
      const exit = new Task(this.#exit(outcome), { loop, eagerStart: true });
      try {
        await exit;
      } catch (err) {
        if (!(err instanceof CancelledError) || exit.cancelled()) throw err;
        // The exit finished, but this await delivered a cancel requested of
        // the caller meanwhile (say by a child failing as the body ended).
        // The exit's outcome stands; the cancel stays requested, for the
        // caller's next await, as it would after `yield*` (same count).
        const me = currentTask();
        if (me !== null) {
          me.uncancel();
          me.cancel();
        }
      }
      outcome.after?.();
      if (outcome.failed) throw outcome.error;
      return result as T;
    };
    return go().then(onfulfilled, onrejected);
  }

  /** A body runs once, like a Python coroutine awaited once. */
  #start(): void {
    if (this.#started) {
      throw new RuntimeError(
        "Cannot run the body again: this awaitable was awaited already",
      );
    }
    this.#started = true;
  }
}

/**
 * Run `body(arg)`, then `exit(outcome)`; `exit` may replace the outcome's
 * error (set `outcome.error`, or throw).
 * @internal
 */
export function scoped<A, T>(
  body: ScopeBody<A, T>,
  arg: A,
  exit: (outcome: Outcome) => Coro<void>,
): Awaitable<T> {
  if (typeof body !== "function") {
    throw new TypeError(
      "Cannot run the body: expected a generator function or an async function",
    );
  }
  return new Scoped(body, arg, exit);
}
