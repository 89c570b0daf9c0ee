/**
 * `ThreadPoolExecutor`: named work on a pool of Workers (threads with their
 * own JS realm), as `concurrent.futures.ThreadPoolExecutor`.
 *
 * @module
 */

import type { Work, WorkFunction } from "./work.ts";
import { _Pool, type Channel, type ChannelEvents } from "./_pool.ts";
import { BrokenThreadPool } from "./errors.ts";
import type { FromWorker, ToWorker } from "./_wire.ts";
import type { Future } from "../futures/future.ts";
import type { LoopLike } from "../futures/_loop.ts";
import {
  doorbellWriteFd,
  jobPending,
  offRing,
  onRing,
  replyReceived,
} from "./_doorbell.ts";
import { EMPTY, FULL, JOB, Mailbox, PARKED, WAKE } from "./_mailbox.ts";
import { _checkMovable, type Movable } from "./transfer.ts";
import { cpuCount, startThread, WORKER_URL } from "./_host.ts";

// Jobs and replies up to this size cross in shared memory (_mailbox.ts).
const BOX_SIZE = 64 * 1024;

/**
 * Options of {@linkcode ThreadPoolExecutor}.
 *
 * @example
 * ```ts
 * import type { ThreadPoolOptions } from "./thread_pool.ts";
 * const o: ThreadPoolOptions = { maxWorkers: 2, threadNamePrefix: "io" };
 * console.log(o.maxWorkers);
 * ```
 */
export interface ThreadPoolOptions {
  /** How many threads at most; default `min(32, cpus + 4)`, as CPython. */
  maxWorkers?: number;
  /** Worker names: `<prefix>_<n>`; default `ThreadPoolExecutor-<k>`. */
  threadNamePrefix?: string;
  /**
   * Work run once in each new thread before its first job; if it fails,
   * the pool is broken (`BrokenThreadPool`).
   */
  initializer?: Work<WorkFunction> | null;
  /** Arguments of `initializer`. */
  initargs?: unknown[];
}

let poolCounter = 0;
function defaultMax(): number {
  return Math.min(32, cpuCount() + 4);
}

/**
 * A pool of Worker threads that runs named work (see `work()`), started
 * lazily (one more only when no thread is idle, up to `maxWorkers`) and
 * reused. Workers inherit the program's permissions; loading their
 * modules needs read permission (`--allow-read`), or they fail to start
 * (`BrokenThreadPool`, the permission error as its cause).
 *
 * Arguments and results cross by structured clone; `transfer()` moves a
 * large buffer instead. Jobs whose arguments are primitives, and their
 * results, cross in shared memory: after a reply a thread parks in
 * `Atomics.wait` for up to 10 ms, so the next job needs no Worker message
 * (a parked thread uses no CPU; its own timers run once it leaves the
 * park, at the latest every 10 ms). A thread that dies (an error
 * escaping the work's own callbacks, a top-level throw) breaks the pool:
 * its futures fail with `BrokenThreadPool` and new work is refused. A
 * native call that is running cannot be interrupted, by `shutdown()` or
 * anything else; the process cannot exit before it returns.
 *
 * Idle threads keep the process alive: shut the pool down (`await using`,
 * `using`, `shutdown()`); `run()` does this for the default executor.
 *
 * @example
 * ```ts
 * import { run, ThreadPoolExecutor } from "../mod.ts";
 * // export function fib(n: number): number { ... }
 * // export const fibWork = work<typeof fib>(import.meta.url, "fib");
 * import { fibWork } from "../examples/_work.ts";
 * import assert from "node:assert/strict";
 *
 * const r = await run(function* () {
 *   using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 *   const a = pool.submit(fibWork, 20);
 *   const b = pool.submit(fibWork, 21);
 *   return (yield* a) + (yield* b);
 * });
 * assert.equal(r, 6765 + 10946);
 * ```
 */
export class ThreadPoolExecutor extends _Pool {
  readonly #prefix: string;

  /**
   * Create the pool; no thread starts before the first job.
   *
   * @param options `maxWorkers`, `threadNamePrefix`, `initializer`, `initargs`.
   * @throws {RangeError} on a bad `maxWorkers`.
   * @throws {TypeError} on an initializer that is not a work reference, or
   *   initargs that cannot be cloned.
   */
  constructor(options: ThreadPoolOptions = {}) {
    super(options, defaultMax(), "a ThreadPoolExecutor");
    this.#prefix = options.threadNamePrefix ||
      `ThreadPoolExecutor-${poolCounter++}`;
  }

  /**
   * @internal
   * @ignore
   */
  protected override get _workerKind(): string {
    return "thread";
  }

  /**
   * @internal
   * @ignore
   */
  protected override _brokenError(
    message: string,
    cause?: unknown,
  ): BrokenThreadPool {
    return new BrokenThreadPool(message, { cause });
  }

  /**
   * @internal
   * @ignore
   */
  protected override _track(loop: LoopLike, _fut: Future<unknown>): void {
    // The loop keeps its synchronous waits; the thread rings it on reply.
    // Watched until the reply is in (even if the future was cancelled: the
    // thread is busy until then).
    jobPending(loop, 1);
  }

  /**
   * @internal
   * @ignore
   */
  protected override _jobEnded(loop: LoopLike): void {
    jobPending(loop, -1);
  }

  /**
   * @internal
   * @ignore
   */
  protected override _spawn(index: number, events: ChannelEvents): Channel {
    const boxes = Mailbox.pair(BOX_SIZE);
    const replies = new Mailbox(boxes, 0);
    const jobs = new Mailbox(boxes, 1);
    const scan = (): void => {
      if (replies.state !== FULL) return;
      const m = replies.read() as FromWorker;
      replies.swap(EMPTY);
      replyReceived();
      events.message(m);
    };
    onRing(scan);
    const w = startThread(WORKER_URL, `${this.#prefix}_${index}`, {
      message: (data) => {
        const m = data as FromWorker;
        // A reply left in the box: collect it if the loop did not.
        if (m.t === "poke") return scan();
        replyReceived();
        events.message(m);
      },
      error: (err) => events.crash(err),
      messageError: () =>
        events.crash(new Error("a reply could not be deserialized")),
    });
    w.post({ t: "bell", fd: doorbellWriteFd(), boxes } satisfies ToWorker, []);
    // A message by postMessage: a parked thread must leave the park first.
    const postMessage = (msg: ToWorker, transfer: Movable[]): void => {
      _checkMovable(msg, transfer);
      if (jobs.swap(WAKE) === PARKED) jobs.notify();
      w.post(msg, transfer);
    };
    return {
      post: (msg: ToWorker, transfer: Movable[] = []) => {
        // Jobs for a loop that watches the doorbell go through the box
        // (encoding throws, as postMessage does, what cannot be cloned);
        // buffers that move go by postMessage.
        if (
          msg.t !== "job" || msg.fast !== true || transfer.length > 0 ||
          !jobs.write(msg)
        ) {
          return postMessage(msg, transfer);
        }
        if (jobs.swap(JOB) === PARKED) jobs.notify();
        else w.post({ t: "slot" } satisfies ToWorker, []);
      },
      terminate: () => {
        offRing(scan);
        if (jobs.swap(WAKE) === PARKED) jobs.notify();
        w.terminate();
      },
    };
  }
}
