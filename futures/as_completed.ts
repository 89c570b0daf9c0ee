/**
 * `asCompleted(aws, { timeout })`: results in the order they finish —
 * asyncio's `as_completed` (Python 3.13 form).
 *
 * @module
 */

import type { HandleLike, LoopLike } from "./_loop.ts";
import { _requireLoop } from "./_loop.ts";
import { Deque } from "./_deque.ts";
import { TimeoutError } from "./errors.ts";
import { type Awaitable as Aw, ensureFuture } from "./ensure_future.ts";
import { Future } from "./future.ts";
import { type Awaitable, lazy, ready, Wait } from "./_wait.ts";
import { _checkAwaitables } from "./ensure_future.ts";
import { _checkOptions } from "./_options.ts";
import { _describe } from "./_describe.ts";

/**
 * Options of {@linkcode asCompleted}.
 *
 * @example Passing options
 * ```ts
 * import { asCompleted, type AsCompletedOptions, run, sleep } from "../mod.ts";
 * const opts: AsCompletedOptions = { timeout: 5 };
 * await run(async () => {
 *   for await (const r of asCompleted<number>([sleep(0, 1)], opts)) console.log(r);
 * });
 * ```
 */
export interface AsCompletedOptions {
  /** Seconds until `TimeoutError`; null or absent: no limit. */
  timeout?: number | null;
}

/**
 * What `asCompleted()` returns. As a plain iterable it yields one awaitable
 * per input, each resolving to the next result to finish (or throwing its
 * error); as an async iterable it yields those results directly.
 *
 * @example Iterating with for await
 * ```ts
 * import { type AsCompleted, asCompleted, run, sleep } from "../mod.ts";
 * await run(async () => {
 *   const it: AsCompleted<number> = asCompleted<number>([sleep(0, 1)]);
 *   for await (const r of it) console.log(r); // 1
 * });
 * ```
 */
export class AsCompleted<T>
  implements Iterable<Awaitable<T>>, AsyncIterable<T> {
  readonly #loop: LoopLike;
  readonly #total: number;
  readonly #done = new Deque<Future<T> | null>();
  readonly #waiters = new Deque<Future<Future<T> | null>>();
  readonly #todo: Set<Future<T>>;
  #handle: HandleLike | null = null;
  readonly #onDone = (f: Future<T>): void => {
    if (!this.#todo.delete(f)) return;
    this.#push(f);
    if (this.#todo.size === 0) this.#handle?.cancel();
  };

  /** @internal Made by {@linkcode asCompleted}. */
  constructor(aws: Iterable<Aw<T>>, seconds: number | null) {
    this.#loop = _requireLoop("use asCompleted");
    // De-duplicated before wrapping: the same coroutine twice runs once.
    this.#todo = new Set(
      [...new Set(aws)].map((aw) => ensureFuture(aw, { loop: this.#loop })),
    );
    this.#total = this.#todo.size;
    for (const f of this.#todo) f.addDoneCallback(this.#onDone);
    if (seconds !== null && this.#total > 0) {
      this.#handle = this.#loop.callLater(seconds, () => this.#onTimeout());
    }
  }

  /**
   * One awaitable per input, in completion order: whichever is awaited
   * first gets the first result (test_as_completed_reverse_wait).
   */
  *[Symbol.iterator](): Generator<Awaitable<T>> {
    for (let i = 0; i < this.#total; i++) {
      yield lazy(this.#nextOp);
    }
  }
  readonly #nextOp = (): Awaitable<T> => this.#next();

  /**
   * The results, in completion order. (Python 3.13 yields the futures
   * themselves here; a JS async generator cannot yield a thenable without
   * awaiting it, so this yields their results.)
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (let i = 0; i < this.#total; i++) {
      yield await (this.#next() as Awaitable<T>);
    }
  }

  #next(): Awaitable<T> {
    const take = (f: Future<T> | null): T => {
      if (f === null) throw new TimeoutError("asCompleted timed out");
      return f.result();
    };
    if (this.#done.length > 0) {
      const f = this.#done.shift()!;
      if (f === null) this.#done.unshift(null);
      try {
        return ready(take(f));
      } catch (err) {
        return rejected(err);
      }
    }
    const w = new Future<Future<T> | null>({ loop: this.#loop });
    this.#waiters.push(w);
    return new Wait(w, take, (f) => {
      // Cancelled after being handed a result: hand it to the next caller.
      if (f !== null) this.#handBack(f);
    });
  }

  /** A result whose taker was cancelled: first in line again. */
  #handBack(f: Future<T>): void {
    for (
      let w = this.#waiters.shift();
      w !== undefined;
      w = this.#waiters.shift()
    ) {
      if (!w.done()) {
        w.setResult(f);
        return;
      }
    }
    this.#done.unshift(f);
  }

  #push(f: Future<T> | null): void {
    for (
      let w = this.#waiters.shift();
      w !== undefined;
      w = this.#waiters.shift()
    ) {
      if (!w.done()) {
        w.setResult(f);
        if (f !== null) return;
      }
    }
    this.#done.push(f);
  }

  #onTimeout(): void {
    for (const f of this.#todo) f.removeDoneCallback(this.#onDone);
    this.#todo.clear();
    this.#push(null);
  }
}

function rejected<T>(err: unknown): Awaitable<T> {
  return {
    // deno-lint-ignore require-yield
    *[Symbol.iterator](): Generator<unknown, T, unknown> {
      throw err;
    },
    then(_f, onrejected) {
      return Promise.reject(err).then(undefined, onrejected);
    },
  } as Awaitable<T>;
}

/**
 * Results of `aws` in the order they finish (Python 3.13's `as_completed`).
 *
 * Two ways to consume it: `for (const next of asCompleted(aws))` gives one
 * awaitable per input, to `yield*` (generators) or `await` (async
 * functions), each resolving to the next result to finish or throwing its
 * error; `for await (const r of asCompleted(aws))` gives the results
 * directly (Python yields the futures there; a JS async iterator cannot
 * yield a thenable without awaiting it). Inputs are wrapped as by
 * `ensureFuture`; duplicates count once. A result taken by a waiter that is
 * cancelled before it resumes goes to the next waiter, not lost.
 *
 * @param aws Futures, coroutines or promises.
 * @param options `timeout` in seconds: after it, every awaitable not yet
 *   resolved throws `TimeoutError`. Nothing is cancelled.
 * @returns An iterable and async iterable; iterate it once.
 * @throws {TimeoutError} (from the awaitable it yields) once `timeout`
 *   seconds pass before everything finished.
 * @throws {TypeError} for a `timeout` that is not a number or null.
 *
 * @example Generator form: `yield*` each awaitable
 * ```ts
 * import { asCompleted, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const order = await run(function* () {
 *   const out: string[] = [];
 *   const inputs = [sleep(0.2, "slow"), sleep(0.1, "fast")];
 *   for (const next of asCompleted<string>(inputs)) {
 *     out.push(yield* next);
 *   }
 *   return out;
 * }, { clock: "virtual" });
 * assert.deepEqual(order, ["fast", "slow"]);
 * ```
 *
 * @example Async form: `for await`
 * ```ts
 * import { asCompleted, createTask, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(async () => {
 *   const a = createTask(async () => { await sleep(0.2); return "a"; });
 *   const b = createTask(async () => { await sleep(0.1); return "b"; });
 *   const seen = [];
 *   for await (const r of asCompleted([a, b])) seen.push(r);
 *   assert.deepEqual(seen, ["b", "a"]);
 * }, { clock: "virtual" });
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Aw<T>>,
  options?: AsCompletedOptions,
): AsCompleted<T> {
  _checkOptions("use asCompleted", options, ["timeout"]);
  const t = options?.timeout ?? null;
  if (t !== null && (typeof t !== "number" || Number.isNaN(t))) {
    throw new TypeError(
      `Cannot use asCompleted: timeout must be seconds or null, got ${
        _describe(t)
      }`,
    );
  }
  return new AsCompleted(
    _checkAwaitables("use asCompleted", aws) as Aw<T>[],
    t,
  );
}
