/**
 * `TaskGroup`: structured concurrency, as Python 3.11's `asyncio.TaskGroup`
 * plus `cancel()` from Python 3.15.
 *
 * @module
 */

import { _refuseUsing } from "./_repr.ts";
import type { LoopLike } from "./_loop.ts";
import { _requireLoop } from "./_loop.ts";
import { CancelledError, RuntimeError } from "./errors.ts";
import { Future } from "./future.ts";
import {
  type Coro,
  type CoroutineLike,
  currentTask,
  Task,
  type TaskOptions,
} from "./task.ts";
import type { Awaitable } from "./_wait.ts";
import { type Outcome, type ScopeBody, scoped } from "./_scoped.ts";

/**
 * Several errors at once, each kept — Python's `ExceptionGroup`, as an
 * `AggregateError` whose `errors` are also readable as `exceptions`.
 *
 * @example Keeping every error
 * ```ts
 * import { ExceptionGroup } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const g = new ExceptionGroup("two failed", [new Error("a"), new Error("b")]);
 * assert.equal(g.exceptions.length, 2);
 * assert.ok(g instanceof AggregateError);
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /**
   * Create the group.
   *
   * @param message What failed.
   * @param exceptions The errors, in the order they happened.
   */
  constructor(message: string, exceptions: unknown[]) {
    super(
      exceptions,
      `${message} (${exceptions.length} sub-exception${
        exceptions.length === 1 ? "" : "s"
      })`,
    );
    this.name = "ExceptionGroup";
  }

  /** The errors (Python's name for `errors`). */
  get exceptions(): unknown[] {
    return this.errors;
  }
}

/**
 * A group of child tasks that all end before the group does.
 *
 * Run a body with the group: `yield* TaskGroup.run(function* (tg) { ... })`
 * or `await TaskGroup.run(async (tg) => { ... })` — the form of Python's
 * `async with asyncio.TaskGroup() as tg:`. When the body ends, the group
 * waits for every child. The first child that fails cancels the others and
 * the body; then the group raises an {@linkcode ExceptionGroup} with every
 * error (the body's included). A child's cancellation is not an error. If
 * the task running the group is cancelled from outside, the children are
 * cancelled and awaited and `CancelledError` propagates (if children failed
 * too, the `ExceptionGroup` wins and the cancellation is re-requested, so the
 * caller's next await gets it, as in Python 3.13). `tg.cancel()` ends the
 * group early without an error.
 *
 * Why a callback and no `await using tg = new TaskGroup()`: a JS dispose hook
 * never sees the exception leaving the block, so it could not add the body's
 * error to the `ExceptionGroup`, nor tell the group's own cancellation (to
 * swallow) from an outside one (to propagate). `run(body)` sees both.
 *
 * @example Children of a generator and an async function
 * ```ts
 * import { run, sleep, TaskGroup } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const results = await run(function* () {
 *   return yield* TaskGroup.run(function* (tg) {
 *     const a = tg.createTask(function* () { yield* sleep(0.2); return 1; });
 *     const b = tg.createTask(async () => { await sleep(0.1); return 2; });
 *     return [a, b];
 *   });
 * }, { clock: "virtual" });
 * assert.deepEqual(results.map((t) => t.result()), [1, 2]);
 * ```
 */
export class TaskGroup {
  #loop: LoopLike | null = null;
  #parent: Task<unknown> | null = null;
  #entered = false;
  #exiting = false;
  #aborting = false;
  #parentCancelRequested = false;
  #cancelled = false;
  #cancelOnEnter = false;
  readonly #tasks = new Set<Task<unknown>>();
  readonly #errors: unknown[] = [];
  #onCompleted: Future<void> | null = null;

  /**
   * Run `body(tg)` with a new group and wait for all its tasks; resolves to
   * the body's result (`undefined` if `tg.cancel()` cut the body short).
   * Await the returned value once, right away.
   *
   * @throws {ExceptionGroup} if a child or the body failed.
   * @throws {CancelledError} if the caller's task was cancelled from outside.
   * @throws {RuntimeError} outside a task.
   */
  static run<T>(body: ScopeBody<TaskGroup, T>): Awaitable<T> {
    return new TaskGroup().run(body);
  }

  /**
   * Run `body(this)` with this group (once); see {@linkcode TaskGroup.run}.
   * @throws {RuntimeError} if the group was used already or outside a task.
   */
  run<T>(body: ScopeBody<TaskGroup, T>): Awaitable<T> {
    if (this.#entered) {
      throw new RuntimeError("Cannot run the TaskGroup: it was used already");
    }
    const parent = currentTask();
    if (parent === null) {
      throw new RuntimeError(
        "Cannot run a TaskGroup outside a task: call it from a coroutine run by the loop",
      );
    }
    this.#entered = true;
    this.#parent = parent;
    this.#loop = parent.getLoop();
    const scope = scoped(body, this, (outcome) => this.#exit(outcome));
    if (this.#cancelOnEnter) this.cancel();
    return scope;
  }

  /**
   * Start `coro` as a child task of the group.
   * @throws {RuntimeError} before `run()`, or once the group is finishing.
   */
  createTask<T>(coro: CoroutineLike<T>, options?: TaskOptions): Task<T> {
    if (!this.#entered) {
      throw new RuntimeError(
        "Cannot create a task: the TaskGroup has not been entered, use TaskGroup.run()",
      );
    }
    if (this.#exiting && this.#tasks.size === 0) {
      throw new RuntimeError("Cannot create a task: the TaskGroup is finished");
    }
    if (this.#aborting) {
      throw new RuntimeError(
        "Cannot create a task: the TaskGroup is shutting down",
      );
    }
    const task = new Task(coro, {
      ...options,
      loop: this.#loop ?? _requireLoop("create a task"),
    });
    if (!task.done()) {
      this.#tasks.add(task as Task<unknown>);
      task.addDoneCallback((t) => this.#onTaskDone(t as Task<unknown>));
    } else {
      this.#onTaskDone(task as Task<unknown>);
    }
    return task;
  }

  /**
   * Stop the group: cancel its tasks and its body; the group then ends
   * without raising (Python 3.15). Called before `run()`, the group is
   * cancelled as it starts; after the group ended, it does nothing.
   *
   * @example Stop when the goal is met
   * ```ts
   * import { run, sleep, TaskGroup } from "../mod.ts";
   * import assert from "node:assert/strict";
   *
   * const found = await run(async () => {
   *   let winner = "";
   *   await TaskGroup.run(async (tg) => {
   *     for (const [name, delay] of [["a", 3], ["b", 1], ["c", 2]] as const) {
   *       tg.createTask(async () => {
   *         await sleep(delay);
   *         winner = name;
   *         tg.cancel();
   *       });
   *     }
   *   });
   *   return winner;
   * }, { clock: "virtual" });
   * assert.equal(found, "b");
   * ```
   */
  cancel(): void {
    if (!this.#entered) {
      // Python 3.15: a group cancelled before it runs is cancelled on entry.
      this.#cancelOnEnter = true;
      return;
    }
    if (this.#cancelled) return;
    this.#cancelled = true;
    if (!this.#aborting) this.#abort();
    if (!this.#exiting && !this.#parentCancelRequested) {
      this.#parentCancelRequested = true;
      this.#parent!.cancel();
    }
  }

  *#exit(outcome: Outcome): Coro<void> {
    this.#exiting = true;
    let propagate: unknown = null;
    if (outcome.failed) {
      if (outcome.error instanceof CancelledError) propagate = outcome.error;
      if (!this.#aborting) this.#abort();
    }
    while (this.#tasks.size > 0) {
      this.#onCompleted = new Future<void>({ loop: this.#loop! });
      try {
        yield* this.#onCompleted;
      } catch (err) {
        if (!(err instanceof CancelledError)) throw err;
        // Ours (a failing child) or from outside: the parent's cancel count,
        // checked below, tells them apart. Recording it even while aborting
        // means an outside cancel during the wait is never swallowed.
        propagate = err;
        if (!this.#aborting) this.#abort();
      }
      this.#onCompleted = null;
    }
    if (this.#parentCancelRequested) {
      // We cancelled the parent: take it back. Only cancellations from
      // outside still count.
      if (this.#parent!.uncancel() === 0) propagate = null;
    }
    if (
      outcome.failed && outcome.error instanceof CancelledError &&
      propagate === null
    ) {
      // The body's CancelledError was ours (a failing child or cancel()).
      outcome.failed = false;
      outcome.error = undefined;
    }
    // The body's own error counts before a cancellation is let through: a
    // nested group's ExceptionGroup raised while an outside cancel is being
    // delivered is wrapped, not dropped (test_taskgroup_12).
    if (outcome.failed && !(outcome.error instanceof CancelledError)) {
      this.#errors.push(outcome.error);
    }
    if (propagate !== null && this.#errors.length === 0) {
      outcome.failed = true;
      outcome.error = propagate;
      return;
    }
    if (this.#errors.length > 0) {
      outcome.failed = true;
      outcome.error = new ExceptionGroup(
        "unhandled errors in a TaskGroup",
        this.#errors.splice(0),
      );
      // The errors win over a cancellation from outside, but that
      // cancellation stays requested: the caller's next await gets it
      // (Python 3.13), with the cancel count unchanged.
      const parent = this.#parent!;
      if (parent.cancelling() > 0) {
        outcome.after = () => {
          parent.uncancel();
          parent.cancel();
        };
      }
    }
  }

  #abort(): void {
    this.#aborting = true;
    for (const t of this.#tasks) if (!t.done()) t.cancel();
  }

  #onTaskDone(task: Task<unknown>): void {
    this.#tasks.delete(task);
    if (
      this.#onCompleted !== null && this.#tasks.size === 0 &&
      !this.#onCompleted.done()
    ) {
      this.#onCompleted.setResult();
    }
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === undefined) return;
    this.#errors.push(exc);
    if (this.#parent!.done()) {
      this.#loop!.callExceptionHandler({
        message: "Task error after its TaskGroup's parent task finished",
        exception: exc,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      this.#abort();
      this.#parentCancelRequested = true;
      this.#parent!.cancel();
    }
  }
}

_refuseUsing(
  TaskGroup,
  "Cannot use a TaskGroup with `using`: a dispose hook never sees the block's error, write `await TaskGroup.run(async (tg) => { ... })` or `yield* TaskGroup.run(function* (tg) { ... })`",
);
