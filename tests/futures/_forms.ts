/**
 * Test helpers: run the same combinator from both coroutine forms.
 *
 * @module
 */

import { createTask, type Task, type TaskOptions } from "../../mod.ts";

/** The two coroutine forms every combinator must support. */
export const FORMS = ["generator", "async"] as const;
/** One of {@linkcode FORMS}. */
export type Form = typeof FORMS[number];
/** Run options for the virtual clock. */
export const virtual = { clock: "virtual" } as const;

/** Something both `yield*`-able and awaitable, like our combinators return. */
export type Dual<T> = Iterable<unknown, T, unknown> & PromiseLike<T>;

/**
 * A task that calls `make()` and waits for it with `yield*` (generator form)
 * or `await` (async form).
 */
export function awaitIn<T>(
  form: Form,
  make: () => Dual<T>,
  options?: TaskOptions,
): Task<T> {
  return form === "generator"
    ? createTask(function* () {
      return yield* make();
    }, options)
    : createTask(async () => await make(), options);
}

/** The error a settled task failed with (it must have failed). */
export function errorOf(task: Task<unknown>): unknown {
  if (task.cancelled()) throw new Error(`${task} was cancelled, not failed`);
  const exc = task.exception();
  if (exc === undefined) throw new Error(`${task} did not fail`);
  return exc;
}

/** How an awaited operation ended, caught inside the awaiting task. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * A task that waits for `make()` in `form` and catches the outcome, so a
 * `CancelledError` it raises is inspected instead of cancelling the task.
 */
export function settleIn<T>(
  form: Form,
  make: () => Dual<T>,
  options?: TaskOptions,
): Task<Settled<T>> {
  return form === "generator"
    ? createTask(function* (): Generator<unknown, Settled<T>, unknown> {
      try {
        return { ok: true, value: yield* make() };
      } catch (error) {
        return { ok: false, error };
      }
    }, options)
    : createTask(async (): Promise<Settled<T>> => {
      try {
        return { ok: true, value: await make() };
      } catch (error) {
        return { ok: false, error };
      }
    }, options);
}

/** The error of a settled outcome (it must have failed). */
export function failure(s: Settled<unknown>): unknown {
  if (s.ok) throw new Error(`expected a failure, got ${String(s.value)}`);
  return s.error;
}
