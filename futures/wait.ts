/**
 * `wait(aws, { timeout, returnWhen })`: wait for a set of futures —
 * asyncio's `wait`. It never cancels anything.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import {
  _checkAwaitables,
  type Awaitable as Aw,
  ensureFuture,
} from "./ensure_future.ts";
import { _checkOptions } from "./_options.ts";
import { _describe } from "./_describe.ts";
import { Future } from "./future.ts";
import type { Coro } from "./task.ts";
import type { Awaitable } from "./_wait.ts";
import { dual } from "./_dual.ts";

/**
 * Return when any future finishes or is cancelled.
 *
 * @example Return at the first completion
 * ```ts
 * import { FIRST_COMPLETED, run, sleep, wait } from "../mod.ts";
 * await run(function* () {
 *   const [done] = yield* wait([sleep(0)], { returnWhen: FIRST_COMPLETED });
 *   console.log(done.size); // 1
 * });
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * Return when any future fails (or all finish).
 *
 * @example Return at the first error
 * ```ts
 * import { FIRST_EXCEPTION, run, sleep, wait } from "../mod.ts";
 * await run(function* () {
 *   const [done] = yield* wait([sleep(0)], { returnWhen: FIRST_EXCEPTION });
 *   console.log(done.size); // 1
 * });
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * Return when all futures are done.
 *
 * @example Return when all are done
 * ```ts
 * import { ALL_COMPLETED, run, sleep, wait } from "../mod.ts";
 * await run(function* () {
 *   const [done] = yield* wait([sleep(0)], { returnWhen: ALL_COMPLETED });
 *   console.log(done.size); // 1
 * });
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/**
 * When `wait()` returns.
 *
 * @example Naming a returnWhen
 * ```ts
 * import { FIRST_COMPLETED, type ReturnWhen } from "../mod.ts";
 * const when: ReturnWhen = FIRST_COMPLETED;
 * console.log(when);
 * ```
 */
export type ReturnWhen =
  | typeof FIRST_COMPLETED
  | typeof FIRST_EXCEPTION
  | typeof ALL_COMPLETED;

/**
 * Options of {@linkcode wait}.
 *
 * @example Passing options
 * ```ts
 * import { run, sleep, wait, type WaitOptions } from "../mod.ts";
 * const opts: WaitOptions = { timeout: 1 };
 * await run(function* () {
 *   const [done, pending] = yield* wait([sleep(0)], opts);
 *   console.log(done.size, pending.size); // 1 0
 * });
 * ```
 */
export interface WaitOptions {
  /** Seconds; null or absent waits as long as needed. */
  timeout?: number | null;
  /** Default `ALL_COMPLETED`. */
  returnWhen?: ReturnWhen;
}

/**
 * Wait for the futures in `aws` and return `[done, pending]` sets. On
 * timeout, it returns what is done so far; nothing is cancelled, and no
 * error is raised (errors stay on their futures). Cancelling the waiting
 * task leaves the futures running.
 *
 * Python 3.11+ refuses coroutines here; this accepts coroutines and
 * promises and wraps them in tasks/futures first, and the sets then hold
 * those wrappers: pass tasks when you need to tell the results apart.
 *
 * @param aws The futures (duplicates count once).
 * @param options `timeout` in seconds (default none) and `returnWhen`
 *   (default `ALL_COMPLETED`).
 * @returns `[done, pending]`: `yield*` it or `await` it, once.
 * @throws {RangeError} for an empty `aws` or an unknown `returnWhen`.
 * @throws {TypeError} for a `timeout` that is not a number or null.
 *
 * @example Waiting for the first of two
 * ```ts
 * import { createTask, FIRST_COMPLETED, run, sleep, wait } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const fast = createTask(function* () { yield* sleep(1); });
 *   const slow = createTask(function* () { yield* sleep(5); });
 *   const [done, pending] = yield* wait([fast, slow], { returnWhen: FIRST_COMPLETED });
 *   assert.ok(done.has(fast) && pending.has(slow));
 *   slow.cancel();
 * }, { clock: "virtual" });
 * ```
 */
export function wait<T>(
  aws: Iterable<Aw<T>>,
  options?: WaitOptions,
): Awaitable<[Set<Future<T>>, Set<Future<T>>]> {
  _checkOptions("wait", options, ["timeout", "returnWhen"]);
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw new RangeError(
      `Cannot wait: returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${
        String(returnWhen)
      }`,
    );
  }
  const list = _checkAwaitables("wait", aws) as Aw<T>[];
  if (list.length === 0) {
    throw new RangeError("Cannot wait: the set of futures is empty");
  }
  const t = options?.timeout ?? null;
  if (t !== null && (typeof t !== "number" || Number.isNaN(t))) {
    throw new TypeError(
      `Cannot wait: timeout must be seconds or null, got ${_describe(t)}`,
    );
  }
  return dual(() => waitGen(list, t, returnWhen), "wait");
}

function* waitGen<T>(
  list: Aw<T>[],
  seconds: number | null,
  returnWhen: ReturnWhen,
): Coro<[Set<Future<T>>, Set<Future<T>>]> {
  const loop = _requireLoop("wait");
  const fs = new Set(list.map((aw) => ensureFuture(aw, { loop })));
  let counter = fs.size;
  const waiter = new Future<void>({ loop });
  const finish = (): void => {
    if (!waiter.done()) waiter.setResult();
  };
  const handle = seconds !== null ? loop.callLater(seconds, finish) : null;
  const onDone = (f: Future<T>): void => {
    counter--;
    if (
      counter <= 0 || returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() &&
        f.exception() !== undefined)
    ) {
      finish();
    }
  };
  for (const f of fs) f.addDoneCallback(onDone);
  try {
    yield* waiter;
  } finally {
    handle?.cancel();
    for (const f of fs) f.removeDoneCallback(onDone);
  }
  const done = new Set<Future<T>>();
  const pending = new Set<Future<T>>();
  for (const f of fs) (f.done() ? done : pending).add(f);
  return [done, pending];
}
