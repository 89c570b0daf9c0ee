/**
 * `gather(...aws)`: run awaitables concurrently and collect their results in
 * argument order — `asyncio.gather`.
 *
 * @module
 */

import type { LoopLike } from "./_loop.ts";
import { _getRunningLoopOrNull, _requireLoop } from "./_loop.ts";
import { CancelledError } from "./errors.ts";
import { Future } from "./future.ts";
import type { Coro } from "./task.ts";
import { _isAwaitable, type Awaitable, ensureFuture } from "./ensure_future.ts";
import { _checkOptions } from "./_options.ts";
import { _describe } from "./_describe.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _cancelMsg: typeof futureKeys._cancelMsg = futureKeys._cancelMsg;
const _cancelRequested: typeof futureKeys._cancelRequested =
  futureKeys._cancelRequested;
const _makeCancelledError: typeof futureKeys._makeCancelledError =
  futureKeys._makeCancelledError;

/**
 * The result type of one awaitable.
 *
 * @example The result type of an awaitable
 * ```ts
 * import type { AwaitedOf, Future } from "../mod.ts";
 * type N = AwaitedOf<Future<number>>; // number
 * const n: N = 1;
 * console.log(n);
 * ```
 */
export type AwaitedOf<A> = A extends Future<infer T> ? T
  : A extends Coro<infer T> ? T
  : A extends () => Coro<infer T> ? T
  : A extends () => PromiseLike<infer T> ? T
  : A extends PromiseLike<infer T> ? T
  : never;

/**
 * Results of a tuple of awaitables, position by position.
 *
 * @example The results of a tuple
 * ```ts
 * import type { Future, GatherResults } from "../mod.ts";
 * type R = GatherResults<[Future<number>, Future<string>]>; // [number, string]
 * const r: R = [1, "a"];
 * console.log(r);
 * ```
 */
export type GatherResults<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: AwaitedOf<A[K]>;
};

/**
 * Options of {@linkcode gather}.
 *
 * @example Passing options
 * ```ts
 * import { gather, type GatherOptions, run } from "../mod.ts";
 * const opts: GatherOptions = { returnExceptions: true };
 * console.log(await run(() => gather([Promise.resolve(1)], opts)));
 * ```
 */
export interface GatherOptions {
  /**
   * Put errors (and `CancelledError`s of cancelled children) in the results
   * instead of failing on the first one.
   */
  returnExceptions?: boolean;
}

/** The future `gather` returns: cancelling it cancels every child. */
class GatheringFuture<T> extends Future<T> {
  readonly #children: Future<unknown>[];
  /** @internal */ [_cancelRequested] = false;
  /** @internal */ [_cancelMsg]: string | undefined = undefined;

  constructor(children: Future<unknown>[], loop: LoopLike) {
    super({ loop });
    this.#children = children;
  }

  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let any = false;
    for (const c of this.#children) if (c.cancel(msg)) any = true;
    // Children finish cancelled; the gather then raises CancelledError even
    // with returnExceptions.
    if (any) {
      this[_cancelRequested] = true;
      this[_cancelMsg] = msg;
    }
    return any;
  }
}

/**
 * Run awaitables (futures, coroutines, promises) concurrently; the result is
 * the array of their results in argument order, typed as a tuple.
 *
 * Three call forms: `gather(a, b, c)`, `gather([a, b, c])` and
 * `gather([a, b, c], { returnExceptions: true })` (Python's keyword argument
 * becomes an options object after an array).
 *
 * Without `returnExceptions`, the first error is raised at once; the other
 * awaitables keep running. A cancelled child makes the gather raise
 * `CancelledError`. With `returnExceptions`, errors and the `CancelledError`s
 * of cancelled children take their places in the results (typed `unknown`:
 * JS can throw anything). Cancelling the gather (or the task awaiting it)
 * cancels every child that is not done; the gather then raises
 * `CancelledError`, even with `returnExceptions`. The same coroutine passed
 * twice runs once.
 *
 * This overload: the array form with `returnExceptions: true`.
 *
 * @param aws The awaitables.
 * @param options `returnExceptions: true`.
 * @returns A Future of the results: `yield*` or `await` it.
 * @throws {TypeError} if `options` is not an object.
 * @throws {Error} for futures of different loops.
 *
 * @example Results in argument order
 * ```ts
 * import { gather, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const results = await run(function* () {
 *   return yield* gather(
 *     sleep(0.02, "slow"),
 *     sleep(0.01, "fast"),
 *     Promise.resolve(3),
 *   );
 * }, { clock: "virtual" });
 * assert.deepEqual(results, ["slow", "fast", 3]);
 * ```
 *
 * @example Collecting errors
 * ```ts
 * import { gather, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const results = await run(async () => {
 *   return await gather([
 *     Promise.resolve(1),
 *     Promise.reject(new Error("no")),
 *   ], { returnExceptions: true });
 * });
 * assert.equal(results[0], 1);
 * assert.ok(results[1] instanceof Error);
 * ```
 */
export function gather<A extends readonly unknown[]>(
  aws: readonly [...A],
  options: GatherOptions & { returnExceptions: true },
): Future<{ -readonly [K in keyof A]: AwaitedOf<A[K]> | unknown }>;
/**
 * `gather([a, b], options)`: the array form; see the first overload.
 *
 * @param aws The awaitables.
 * @param options `returnExceptions`, default false.
 * @returns A Future of the results: `yield*` or `await` it.
 *
 * @example The array form
 * ```ts
 * import { gather, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await run(() => gather([Promise.resolve(1)], {})), [1]);
 * ```
 */
export function gather<A extends readonly unknown[]>(
  aws: readonly [...A],
  options?: GatherOptions,
): Future<GatherResults<A>>;
/**
 * `gather(a, b, { returnExceptions: true })`: the variadic form with
 * Python's keyword argument as a trailing plain object.
 *
 * @param args The awaitables, then the options.
 * @returns A Future of the results (errors in place of failures).
 *
 * @example Options after the awaitables
 * ```ts
 * import { gather, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = await run(() =>
 *   gather(Promise.resolve(1), Promise.reject(new Error("x")), {
 *     returnExceptions: true,
 *   })
 * );
 * assert.equal(a, 1);
 * assert.ok(b instanceof Error);
 * ```
 */
export function gather(
  ...args: [...unknown[], GatherOptions & { returnExceptions: true }]
): Future<unknown[]>;
/**
 * `gather(a, b, c)`: the variadic form; see the first overload.
 *
 * @param aws The awaitables.
 * @returns A Future of the results: `yield*` or `await` it.
 *
 * @example The variadic form
 * ```ts
 * import { gather, run, sleep } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await run(() => gather(sleep(0, "a"), sleep(0, "b"))), ["a", "b"]);
 * ```
 */
export function gather<A extends readonly unknown[]>(
  ...aws: A
): Future<GatherResults<A>>;
export function gather(...args: unknown[]): Future<unknown[]> {
  let aws: unknown[] = args;
  let opts: GatherOptions | undefined;
  if (Array.isArray(args[0]) && args.length <= 2) {
    aws = args[0];
    opts = args[1] as GatherOptions | undefined;
    if (opts !== undefined && (typeof opts !== "object" || opts === null)) {
      throw new TypeError(
        "Cannot gather: the second argument must be an options object",
      );
    }
  } else if (args.length > 0 && isPlainObject(args[args.length - 1])) {
    // gather(a, b, { returnExceptions: true }): Python's keyword argument.
    opts = args[args.length - 1] as GatherOptions;
    aws = args.slice(0, -1);
  }
  _checkOptions("gather", opts, ["returnExceptions"]);
  const returnExceptions = opts?.returnExceptions ?? false;
  // Everything is checked before anything starts: gather(coro, 42) must not
  // leave the coroutine running.
  for (const aw of aws) {
    if (!_isAwaitable(aw)) {
      throw new TypeError(
        `Cannot gather: ${
          _describe(aw)
        } is not awaitable, expected a Future, a coroutine or a Promise`,
      );
    }
  }
  const loop = findLoop(aws);
  // The same coroutine twice must run once, as in asyncio. A future passed
  // twice needs no map: each position gets its own done callback.
  let seen: Map<unknown, Future<unknown>> | null = null;
  const children: Future<unknown>[] = new Array(aws.length);
  for (let i = 0; i < aws.length; i++) {
    const aw = aws[i];
    if (aw instanceof Future) {
      if (aw.getLoop() !== loop) {
        throw new Error(
          "Cannot gather futures of different event loops: create them on one loop",
        );
      }
      children[i] = aw;
      continue;
    }
    seen ??= new Map();
    let fut = seen.get(aw);
    if (fut === undefined) {
      fut = ensureFuture(aw as Awaitable<unknown>, { loop });
      seen.set(aw, fut);
    }
    children[i] = fut;
  }
  const outer = new GatheringFuture<unknown[]>(children, loop);
  const n = children.length;
  if (n === 0) {
    outer.setResult([]);
    return outer;
  }
  let finished = 0;
  const onChildDone = (fut: Future<unknown>): void => {
    finished++;
    if (outer.done()) {
      // Mark the error retrieved: the gather already reported its outcome.
      if (!fut.cancelled()) fut.exception();
      return;
    }
    if (!returnExceptions) {
      if (fut.cancelled()) {
        outer.setException(fut[_makeCancelledError]());
        return;
      }
      const exc = fut.exception();
      if (exc !== undefined) {
        outer.setException(exc);
        return;
      }
    }
    if (finished < n) return;
    const results: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const c = children[i];
      if (c.cancelled()) {
        results[i] = c[_makeCancelledError]();
      } else {
        const exc = c.exception();
        results[i] = exc !== undefined ? exc : c.result();
      }
    }
    if (outer[_cancelRequested]) {
      // Cancelled even with returnExceptions (bpo-32684), with the message
      // given to cancel(msg).
      outer.setException(new CancelledError(outer[_cancelMsg]));
    } else {
      outer.setResult(results);
    }
  };
  // Count each distinct child once per position it holds.
  for (const c of children) c.addDoneCallback(onChildDone);
  return outer;
}

function isPlainObject(x: unknown): boolean {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function findLoop(aws: unknown[]): LoopLike {
  for (const aw of aws) if (aw instanceof Future) return aw.getLoop();
  return _getRunningLoopOrNull() ?? _requireLoop("gather");
}
