/**
 * The engine shared by the thread and process pools: a queue of jobs, a
 * set of workers started lazily (up to `maxWorkers`) and reused, one job
 * per worker at a time, cancellation before start, breakage, shutdown.
 * What carries the messages (a Worker, a child's pipes) is a `Channel`.
 *
 * While a job is pending, its loop counts it as host work, so the loop
 * waits without blocking the thread and the reply can be dispatched.
 *
 * @module
 */

import { Future } from "../futures/future.ts";
import { RuntimeError } from "../futures/errors.ts";
import { Deque } from "../futures/_deque.ts";
import type { LoopLike } from "../futures/_loop.ts";
import {
  _checkWork,
  type Work,
  type WorkFunction,
  type WorkResult,
} from "./work.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import type { BrokenExecutor } from "./errors.ts";
import type { FromWorker, ToWorker, WorkRef } from "./_wire.ts";
import { fromWire } from "./_wire.ts";
import { currentLoop } from "./_host_loop.ts";
import { hold } from "./_loop.ts";
import { _transferList, type Movable } from "./transfer.ts";
import * as executorKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _submitChunk: typeof executorKeys._submitChunk =
  executorKeys._submitChunk;

/** One worker, as the pool sees it. @internal */
export interface Channel {
  /**
   * Send a message, moving `transfer` (see `transfer()`); throws
   * synchronously if it cannot be cloned, and then nothing moved.
   */
  post(msg: ToWorker, transfer?: Movable[]): void;
  /** End the worker (after its current native call, if any). */
  terminate(): void;
}

/** What a channel reports. @internal */
export interface ChannelEvents {
  message(msg: FromWorker): void;
  /** The worker died; `reason` says how. */
  crash(reason: unknown): void;
}

/** Options every pool takes. @internal */
export interface PoolOptions {
  maxWorkers?: number;
  initializer?: Work<WorkFunction> | null;
  initargs?: unknown[];
  maxTasksPerChild?: number | null;
}

interface Job {
  id: number;
  loop: LoopLike;
  ended: boolean;
  fut: Future<unknown>;
  msg: ToWorker;
  /** The buffers that move with the job's arguments. */
  moves: Movable[];
}

interface Slot {
  ch: Channel;
  job: Job | null;
  tasks: number;
  gone: boolean;
}

let nextId = 1;

/** @internal The pool engine; subclasses say how to start a worker. */
export abstract class _Pool extends Executor {
  readonly #max: number;
  readonly #init: ToWorker | null;
  readonly #maxTasks: number | null;
  readonly #slots: Slot[] = [];
  readonly #idle: Slot[] = [];
  readonly #queue = new Deque<Job>();
  #shutdown = false;
  #broken: BrokenExecutor | null = null;
  #waiters: (() => void)[] = [];

  constructor(options: PoolOptions, defaultMax: number, what: string) {
    super();
    const max = options.maxWorkers ?? defaultMax;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(
        `Cannot create ${what}: maxWorkers must be an integer of at least 1, got ${max}`,
      );
    }
    const mt = options.maxTasksPerChild ?? null;
    if (mt !== null && !(Number.isInteger(mt) && mt >= 1)) {
      throw new RangeError(
        `Cannot create ${what}: maxTasksPerChild must be an integer of at least 1 or null, got ${mt}`,
      );
    }
    this.#max = max;
    this.#maxTasks = mt;
    if (options.initializer != null) {
      const ref = toRef(_checkWork(options.initializer, `create ${what}`));
      const args = options.initargs ?? [];
      checkClone(args, `create ${what}`, "initargs");
      this.#init = { t: "init", work: ref, args };
    } else {
      this.#init = null;
    }
  }

  /** Start one worker that reports to `events`. */
  protected abstract _spawn(index: number, events: ChannelEvents): Channel;
  /** The error that says this pool is broken. */
  protected abstract _brokenError(
    message: string,
    cause?: unknown,
  ): BrokenExecutor;
  /** Refuse to submit for `loop` (before anything happens); default: accept. */
  protected _checkLoop(_loop: LoopLike): void {}
  /**
   * Keep `loop` waiting for `fut`'s reply: by default it counts as host
   * work (the loop waits without blocking the thread).
   */
  protected _track(loop: LoopLike, fut: Future<unknown>): void {
    hold(loop, fut);
  }
  /** A job tracked with `_track` got its reply or was dropped. */
  protected _jobEnded(_loop: LoopLike): void {}
  /** "thread" or "process", for messages. */
  protected abstract get _workerKind(): string;

  /** The maximum number of workers. */
  get maxWorkers(): number {
    return this.#max;
  }

  /** Whether a worker died or an initializer failed. */
  get broken(): boolean {
    return this.#broken !== null;
  }

  /**
   * Run `work(...args)` on a worker; returns a future of its result.
   *
   * Cancelling the future before the job starts removes it from the queue;
   * once it runs it cannot be interrupted (its result is dropped).
   *
   * @throws {RuntimeError} after `shutdown()`.
   * @throws {BrokenExecutor} if the pool is broken.
   * @throws {TypeError} if an argument cannot be cloned (nothing ran).
   */
  submit<F extends WorkFunction>(
    work: Work<F>,
    ...args: Parameters<F>
  ): Future<WorkResult<F>> {
    const ref = toRef(_checkWork(work, "submit work"));
    return this.#submit({ t: "job", id: 0, work: ref, args }) as Future<
      WorkResult<F>
    >;
  }

  /** @internal One message for the whole chunk. */
  override [_submitChunk](
    work: Work<WorkFunction>,
    chunk: unknown[][],
  ): Future<unknown[]> {
    const ref = toRef(_checkWork(work, "map work"));
    return this.#submit({
      t: "batch",
      id: 0,
      work: ref,
      args: chunk,
    }) as Future<
      unknown[]
    >;
  }

  #submit(msg: Extract<ToWorker, { t: "job" | "batch" }>): Future<unknown> {
    if (this.#broken !== null) throw this.#broken;
    if (this.#shutdown) {
      throw new RuntimeError(
        "Cannot schedule new futures after shutdown: make a new executor",
      );
    }
    const loop = currentLoop();
    this._checkLoop(loop);
    msg.id = nextId++;
    const fut = new Future<unknown>({ loop });
    const moves = _transferList(msg.args);
    const job: Job = { id: msg.id, loop, ended: false, fut, msg, moves };
    // The reply may come back through shared memory when the loop can
    // watch the doorbell (thread pools; children ignore it).
    msg.fast = typeof (loop as { addReader?: unknown }).addReader ===
      "function";
    let slot = this.#idle.pop();
    if (slot === undefined && this.#slots.length < this.#max) {
      slot = this.#start();
    }
    if (slot !== undefined) {
      try {
        slot.ch.post(msg, moves);
      } catch (err) {
        this.#idle.push(slot);
        throw cloneError(err, "submit work");
      }
      slot.job = job;
    } else {
      checkClone(msg.args, "submit work", "an argument");
      this.#queue.push(job);
    }
    this._track(loop, fut);
    return fut;
  }

  /**
   * Stop accepting work; end the workers once their jobs finish.
   *
   * @param options.wait Whether the returned future waits for that.
   * @param options.cancelFutures Cancel the jobs not started.
   * @returns A future done when every job finished and every worker
   *   ended (at once with `wait: false`).
   *
   * @example
   * ```ts
   * import { ThreadPoolExecutor } from "../mod.ts";
   * const pool = new ThreadPoolExecutor();
   * await pool.shutdown();
   * ```
   */
  shutdown(options?: ShutdownOptions): Future<void> {
    const loop = currentLoop();
    const done = new Future<void>({ loop });
    this.#shutdown = true;
    if (options?.cancelFutures) {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        job.fut.cancel();
        this.#ended(job);
      }
    }
    for (const s of this.#idle.splice(0)) this.#retire(s);
    if (options?.wait === false || this.#slots.length === 0) {
      done.setResult();
    } else {
      hold(loop, done);
      this.#waiters.push(() => {
        if (!done.done()) done.setResult();
      });
    }
    return done;
  }

  #start(): Slot {
    const slot: Slot = { ch: null!, job: null, tasks: 0, gone: false };
    const events: ChannelEvents = {
      message: (m) => this.#onMessage(slot, m),
      crash: (reason) => this.#onCrash(slot, reason),
    };
    slot.ch = this._spawn(this.#slots.length, events);
    this.#slots.push(slot);
    if (this.#init !== null) slot.ch.post(this.#init);
    return slot;
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    if (slot.gone) return;
    if (m.t === "ready" || m.t === "poke") return;
    if (m.t === "initFailed") {
      this.#break(
        `A ${this._workerKind} initializer failed, the pool is not usable anymore`,
        fromWire(m.error),
      );
      return;
    }
    const job = slot.job;
    slot.job = null;
    slot.tasks++;
    if (job !== null && job.id === m.id) {
      settle(job.fut, m);
      this.#ended(job);
    }
    if (this.#maxTasks !== null && slot.tasks >= this.#maxTasks) {
      this.#retire(slot);
      if (this.#queue.length > 0 && !this.#shutdown) {
        this.#next(this.#start());
      }
      return;
    }
    this.#next(slot);
  }

  /** Give `slot` the next job not cancelled, or make it idle. */
  #next(slot: Slot): void {
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      if (job.fut.done()) {
        this.#ended(job);
        continue;
      }
      try {
        slot.ch.post(job.msg, job.moves);
      } catch (err) {
        job.fut.setException(cloneError(err, "submit work"));
        this.#ended(job);
        continue;
      }
      slot.job = job;
      return;
    }
    if (this.#shutdown) this.#retire(slot);
    else this.#idle.push(slot);
  }

  #onCrash(slot: Slot, reason: unknown): void {
    if (slot.gone) return;
    const why = reason instanceof Error ? reason.message : String(reason);
    this.#break(
      `A ${this._workerKind} of the pool died abruptly (${why}), the pool is not usable anymore`,
      reason,
    );
  }

  #break(message: string, cause: unknown): void {
    if (this.#broken !== null) return;
    const err = this._brokenError(message, cause);
    this.#broken = err;
    for (const s of [...this.#slots]) {
      const job = s.job;
      s.job = null;
      this.#retire(s);
      if (job !== null && !job.fut.done()) job.fut.setException(err);
      if (job !== null) this.#ended(job);
    }
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      if (!job.fut.done()) job.fut.setException(err);
      this.#ended(job);
    }
  }

  /** `job` will get no reply (any more): tell the subclass, once. */
  #ended(job: Job): void {
    if (job.ended) return;
    job.ended = true;
    this._jobEnded(job.loop);
  }

  #retire(slot: Slot): void {
    if (slot.gone) return;
    slot.gone = true;
    slot.ch.terminate();
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    const j = this.#idle.indexOf(slot);
    if (j >= 0) this.#idle.splice(j, 1);
    if (this.#slots.length === 0 && (this.#shutdown || this.#broken)) {
      for (const w of this.#waiters.splice(0)) w();
    }
  }
}

/** The wire form of a work reference. @internal */
export function toRef(w: Work<WorkFunction>): WorkRef {
  return w.kind === "ffi"
    ? {
      kind: "ffi",
      moduleUrl: w.moduleUrl,
      exportName: w.exportName,
      signature: w.signature,
    }
    : { kind: "module", moduleUrl: w.moduleUrl, exportName: w.exportName };
}

function settle(fut: Future<unknown>, m: FromWorker): void {
  // Cancelled meanwhile (the work ran anyway), or its loop is gone.
  if (fut.done() || fut.getLoop().isClosed()) return;
  if (m.t === "ok") fut.setResult(m.value);
  else if (m.t === "err") fut.setException(fromWire(m.error));
}

function checkClone(args: unknown[], what: string, which: string): void {
  try {
    structuredClone(args);
  } catch (err) {
    throw cloneError(err, what, which);
  }
}

function cloneError(err: unknown, what: string, which = "an argument"): Error {
  return new TypeError(
    `Cannot ${what}: ${which} cannot be cloned to another thread (${
      err instanceof Error ? err.message : String(err)
    }), pass data, not functions or host objects`,
    { cause: err },
  );
}
