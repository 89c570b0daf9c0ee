/**
 * `Executor`: the contract of `concurrent.futures` executors — `submit`,
 * `map`, `shutdown`, disposal — with results as this module's futures.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { TimeoutError } from "../poll/errors.ts";
import type { Work, WorkFunction, WorkResult } from "./work.ts";
import { currentLoop } from "./_host_loop.ts";
import * as executorKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _submitChunk: typeof executorKeys._submitChunk =
  executorKeys._submitChunk;

/**
 * Options of {@linkcode Executor.shutdown}.
 *
 * @example
 * ```ts
 * import type { ShutdownOptions } from "./executor.ts";
 * const o: ShutdownOptions = { wait: true, cancelFutures: true };
 * console.log(o.wait);
 * ```
 */
export interface ShutdownOptions {
  /**
   * `true` (default): the returned future is done when every job has
   * finished and every worker has ended. `false`: it is done at once; jobs
   * still finish and workers end after them.
   */
  wait?: boolean;
  /** Cancel the jobs that have not started (default false). */
  cancelFutures?: boolean;
}

/**
 * Options of {@linkcode Executor.map}.
 *
 * @example
 * ```ts
 * import type { MapOptions } from "./executor.ts";
 * const o: MapOptions = { timeout: 5, chunksize: 10, buffersize: 4 };
 * console.log(o.chunksize);
 * ```
 */
export interface MapOptions {
  /**
   * Seconds from the `map()` call after which a result not yet available
   * fails with `TimeoutError` (and the jobs not done are cancelled).
   */
  timeout?: number | null;
  /**
   * Items sent to a worker per message (default 1): fewer messages for many
   * small jobs.
   */
  chunksize?: number;
  /**
   * At most this many chunks submitted ahead of the consumer (default: all
   * at once, as Python before 3.14): an endless iterable becomes usable.
   */
  buffersize?: number | null;
}

/**
 * The results of {@linkcode Executor.map}, in the order of the inputs. Both
 * coroutine forms can consume them:
 *
 * - `for await (const r of results)` in an async function;
 * - `for (const fut of results) { const r = yield* fut; }` in a generator
 *   coroutine (it is also an iterable of futures, one per input).
 *
 * When a result fails, the jobs not yet done are cancelled (as Python's
 * iterator does when it is left).
 *
 * @example
 * ```ts
 * import { MapResults } from "./executor.ts";
 * console.log(typeof MapResults);
 * ```
 */
export class MapResults<R> implements Iterable<Future<R>>, AsyncIterable<R> {
  readonly #loop: LoopLike;
  readonly #items: Iterator<unknown[]>;
  readonly #submit: (chunk: unknown[][]) => Future<unknown[]>;
  readonly #chunksize: number;
  readonly #buffersize: number;
  readonly #deadline: number | null;
  // Submitted chunks not yet fully handed out: [future, size].
  readonly #chunks: [Future<unknown[]>, number][] = [];
  #index = 0;
  #exhausted = false;
  #failed = false;

  /** @internal Made by `Executor.map`. */
  constructor(
    loop: LoopLike,
    items: Iterator<unknown[]>,
    submit: (chunk: unknown[][]) => Future<unknown[]>,
    options: MapOptions,
  ) {
    this.#loop = loop;
    this.#items = items;
    this.#submit = submit;
    this.#chunksize = options.chunksize ?? 1;
    this.#buffersize = options.buffersize ?? Infinity;
    this.#deadline = options.timeout == null
      ? null
      : loop.time() + options.timeout;
    this.#fill();
  }

  #fill(): void {
    while (!this.#exhausted && this.#chunks.length < this.#buffersize) {
      const chunk: unknown[][] = [];
      while (chunk.length < this.#chunksize) {
        const r = this.#items.next();
        if (r.done) {
          this.#exhausted = true;
          break;
        }
        chunk.push(r.value);
      }
      if (chunk.length === 0) break;
      this.#chunks.push([this.#submit(chunk), chunk.length]);
    }
  }

  /** Cancel every job not done yet. */
  cancel(): void {
    this.#exhausted = true;
    for (const [f] of this.#chunks) f.cancel();
    this.#chunks.length = 0;
  }

  /** One future per input, in order (for `yield*` in generator coroutines). */
  *[Symbol.iterator](): Iterator<Future<R>> {
    try {
      while (this.#chunks.length > 0 && !this.#failed) {
        const [cf, size] = this.#chunks[0];
        const i = this.#index++;
        if (this.#index === size) {
          this.#chunks.shift();
          this.#index = 0;
          this.#fill();
        }
        yield this.#item(cf, i);
      }
    } finally {
      // Left early (break, an error): the rest is not wanted.
      this.cancel();
    }
  }

  /** The results, in order (for `for await`). */
  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    for (const fut of this) yield await fut;
  }

  #item(cf: Future<unknown[]>, i: number): Future<R> {
    const loop = this.#loop;
    const fut = new Future<R>({ loop });
    const timer = this.#deadline === null || cf.done()
      ? null
      : loop.callAt(this.#deadline, () => {
        if (fut.done()) return;
        this.#failed = true;
        fut.setException(
          new TimeoutError("Cannot get the map() result: the timeout passed"),
        );
        this.cancel();
      });
    cf.addDoneCallback(() => {
      timer?.cancel();
      if (fut.done()) return;
      if (cf.cancelled()) {
        fut.cancel();
      } else if (cf.exception() !== undefined) {
        this.#failed = true;
        fut.setException(cf.exception());
        this.cancel();
      } else {
        fut.setResult(cf.result()[i] as R);
      }
    });
    return fut;
  }
}

/**
 * An executor: runs named work elsewhere (threads, processes) and hands
 * back this module's futures. Subclasses provide `submit` and `shutdown`;
 * `map` and disposal come from here.
 *
 * Futures belong to the loop running when the work is submitted; outside
 * any loop they are plain awaitables (`await`; `wrapFuture` moves one onto
 * a loop).
 *
 * @example A custom executor that runs work inline (for illustration)
 * ```ts
 * import { Executor, Future, type Work, type WorkResult } from "../mod.ts";
 * console.log(typeof Executor.prototype.map); // "function"
 * ```
 */
export abstract class Executor implements Disposable, AsyncDisposable {
  /**
   * Schedule `work(...args)`; returns a future of its result.
   *
   * @throws {RuntimeError} after `shutdown()`.
   * @throws {BrokenExecutor} if the executor is broken.
   * @throws {TypeError} if an argument cannot be cloned (nothing ran).
   */
  abstract submit<F extends WorkFunction>(
    work: Work<F>,
    ...args: Parameters<F>
  ): Future<WorkResult<F>>;

  /**
   * Stop accepting work and release the workers once their jobs finish.
   * Idempotent.
   */
  abstract shutdown(options?: ShutdownOptions): Future<void>;

  /**
   * Submit a chunk of calls as one message; returns their results in
   * order. The default submits each call.
   * @internal
   * @ignore
   */
  [_submitChunk](
    work: Work<WorkFunction>,
    chunk: unknown[][],
  ): Future<unknown[]> {
    const loop = currentLoop();
    const out = new Future<unknown[]>({ loop });
    const futs = chunk.map((args) => this.submit(work, ...args));
    const results = new Array(futs.length);
    let left = futs.length;
    for (let i = 0; i < futs.length; i++) {
      futs[i].addDoneCallback((f) => {
        if (out.done()) return;
        if (f.cancelled()) {
          out.cancel();
        } else if (f.exception() !== undefined) {
          out.setException(f.exception());
        } else {
          results[i] = f.result();
          if (--left === 0) out.setResult(results);
        }
      });
    }
    out.addDoneCallback(() => {
      if (out.cancelled()) { for (const f of futs) f.cancel(); }
    });
    return out;
  }

  /**
   * `work(...args)` for each `args` of `argsIterable`, results in input
   * order (Python's `map(fn, *iterables)` with the iterables zipped: each
   * item is one call's argument list).
   *
   * @param work The work to run.
   * @param argsIterable One argument list per call.
   * @param options `timeout`, `chunksize`, `buffersize`.
   * @returns The results, consumable with `for await` or as futures.
   * @throws {RangeError} on a chunksize or buffersize below 1.
   *
   * @example Squares, in order
   * ```ts
   * import { ThreadPoolExecutor } from "../mod.ts";
   * import { squareWork } from "../examples/_work.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
   * const out: number[] = [];
   * for await (const r of pool.map(squareWork, [[1], [2], [3]])) out.push(r);
   * assert.deepEqual(out, [1, 4, 9]);
   * ```
   */
  map<F extends WorkFunction>(
    work: Work<F>,
    argsIterable: Iterable<Parameters<F>>,
    options: MapOptions = {},
  ): MapResults<WorkResult<F>> {
    for (const k of ["chunksize", "buffersize"] as const) {
      const v = options[k];
      if (v != null && !(Number.isInteger(v) && v >= 1)) {
        throw new RangeError(
          `Cannot map work: ${k} must be an integer of at least 1, got ${v}`,
        );
      }
    }
    const loop = currentLoop();
    const items = argsIterable[Symbol.iterator]() as Iterator<unknown[]>;
    return new MapResults<WorkResult<F>>(
      loop,
      items,
      (chunk) => this[_submitChunk](work as Work<WorkFunction>, chunk),
      options,
    );
  }

  /** `shutdown({ wait: false })`: `using pool = ...` cannot wait. */
  [Symbol.dispose](): void {
    this.shutdown({ wait: false });
  }

  /** `await shutdown({ wait: true })`: `await using pool = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }
}
