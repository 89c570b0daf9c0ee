/**
 * `ProcessPoolExecutor`: named work in child runtime processes (`deno run`
 * of this module's child program; `node`/`bun` on those runtimes), as `concurrent.futures.
 * ProcessPoolExecutor`, talking over pipes that the loop polls.
 *
 * @module
 */

import type { Work, WorkFunction } from "./work.ts";
import { _Pool, type Channel, type ChannelEvents } from "./_pool.ts";
import { BrokenProcessPool } from "./errors.ts";
import type { FromWorker, ToWorker } from "./_wire.ts";
import { encodeFrame, FrameReader } from "./_frames.ts";
import { countJob } from "./_loop.ts";
import { _detach, type Movable } from "./transfer.ts";
import {
  CHILD_URL,
  childCommand,
  cpuCount,
  defaultChildArgs,
} from "./_host.ts";
import type { Future } from "../futures/future.ts";
import type { LoopLike } from "../futures/_loop.ts";
import { RuntimeError } from "../futures/errors.ts";
import { close, pipe, readOrAgain, setBlocking, write } from "../poll/fd.ts";
import { killProcess, spawn, waitpidNoHang } from "../poll/spawn.ts";

/**
 * Options of {@linkcode ProcessPoolExecutor}.
 *
 * @example
 * ```ts
 * import type { ProcessPoolOptions } from "./process_pool.ts";
 * const o: ProcessPoolOptions = { maxWorkers: 2, maxTasksPerChild: 100 };
 * console.log(o.maxWorkers);
 * ```
 */
export interface ProcessPoolOptions {
  /** How many children at most; default the number of CPUs. */
  maxWorkers?: number;
  /** Work run once in each new child before its first job. */
  initializer?: Work<WorkFunction> | null;
  /** Arguments of `initializer`. */
  initargs?: unknown[];
  /**
   * Jobs a child runs before it is replaced by a fresh one (default: no
   * limit).
   */
  maxTasksPerChild?: number | null;
  /**
   * Arguments of `deno run` for the children, before the script; default
   * `["--allow-all"]`: a program that may use FFI (which this module needs)
   * can do anything already, so its children get no more than it has. On
   * Node and Bun: arguments of `node`/`bun` (default none).
   */
  runtimeArgs?: string[];
}

interface ReaderLoop extends LoopLike {
  addReader(fd: number, callback: () => void): void;
  removeReader(fd: number): boolean;
}

interface Child {
  pid: number;
  reqW: number;
  repR: number;
  frames: FrameReader;
  events: ChannelEvents;
  watched: Set<ReaderLoop>;
  closed: boolean;
}

/**
 * A pool of child processes (each a fresh runtime of the parent's kind,
 * `Deno.execPath()` or `process.execPath`; a Deno child takes ~20-40 ms to
 * start) that runs named work (see `work()`): for CPU-bound work that
 * should not share a process, or native code that may crash. Children
 * start lazily and are reused; with `maxTasksPerChild` each is replaced
 * after that many jobs. Arguments and results cross as structured clones
 * over pipes our loop polls.
 *
 * A child that dies (killed by a signal, an error escaping its work)
 * breaks the pool: its futures fail with `BrokenProcessPool` and new work
 * is refused. Jobs are submitted from a running loop (the loop polls the
 * children's pipes); children are reaped when they end.
 *
 * @example
 * ```ts
 * import { ProcessPoolExecutor, run } from "../mod.ts";
 * import { fibWork } from "../examples/_work.ts";
 * import assert from "node:assert/strict";
 *
 * const r = await run(async () => {
 *   await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
 *   return await pool.submit(fibWork, 20);
 * });
 * assert.equal(r, 6765);
 * ```
 */
export class ProcessPoolExecutor extends _Pool {
  readonly #runtimeArgs: string[];
  readonly #children = new Set<Child>();
  readonly #loops = new Map<ReaderLoop, number>();

  /**
   * Create the pool; no child starts before the first job.
   *
   * @param options `maxWorkers`, `initializer`, `initargs`,
   *   `maxTasksPerChild`, `runtimeArgs`.
   * @throws {RangeError} on a bad `maxWorkers` or `maxTasksPerChild`.
   */
  constructor(options: ProcessPoolOptions = {}) {
    super(
      options,
      cpuCount(),
      "a ProcessPoolExecutor",
    );
    this.#runtimeArgs = options.runtimeArgs ?? defaultChildArgs();
  }

  /**
   * @internal
   * @ignore
   */
  protected override get _workerKind(): string {
    return "process";
  }

  /**
   * @internal
   * @ignore
   */
  protected override _brokenError(
    message: string,
    cause?: unknown,
  ): BrokenProcessPool {
    return new BrokenProcessPool(message, { cause });
  }

  /**
   * @internal
   * @ignore
   */
  protected override _checkLoop(loop: LoopLike): void {
    if (typeof (loop as ReaderLoop).addReader !== "function") {
      throw new RuntimeError(
        "Cannot submit work to a ProcessPoolExecutor: no running event loop (its pipes are polled by the loop), call it from a coroutine",
      );
    }
  }

  /**
   * @internal
   * @ignore
   */
  protected override _track(loop: LoopLike, fut: Future<unknown>): void {
    const l = loop as ReaderLoop;
    countJob(l, 1);
    const n = (this.#loops.get(l) ?? 0) + 1;
    this.#loops.set(l, n);
    if (n === 1) { for (const c of this.#children) this.#watch(c, l); }
    fut.addDoneCallback(() => {
      countJob(l, -1);
      const m = this.#loops.get(l)! - 1;
      if (m > 0) {
        this.#loops.set(l, m);
        return;
      }
      this.#loops.delete(l);
      for (const c of this.#children) this.#unwatch(c, l);
    });
  }

  #watch(c: Child, loop: ReaderLoop): void {
    if (c.closed || c.watched.has(loop) || loop.isClosed()) return;
    c.watched.add(loop);
    loop.addReader(c.repR, () => this.#readable(c));
  }

  #unwatch(c: Child, loop: ReaderLoop): void {
    if (!c.watched.delete(loop)) return;
    if (!loop.isClosed()) loop.removeReader(c.repR);
  }

  #readable(c: Child): void {
    const buf = new Uint8Array(65536);
    for (;;) {
      if (c.closed) return;
      const n = readOrAgain(c.repR, buf);
      if (n === -1) return;
      if (n === 0) {
        c.events.crash(new Error(`child process ${c.pid} exited`));
        return;
      }
      for (const m of c.frames.push(buf.subarray(0, n))) {
        c.events.message(m as FromWorker);
      }
    }
  }

  /**
   * @internal
   * @ignore
   */
  protected override _spawn(_index: number, events: ChannelEvents): Channel {
    const [reqR, reqW] = pipe();
    const [repR, repW] = pipe();
    let pid: number;
    try {
      pid = spawn(
        childCommand(CHILD_URL, this.#runtimeArgs, [
          String(reqR),
          String(repW),
        ]),
        { fds: ["devnull", -1, -1], passFds: [reqR, repW] },
      );
    } catch (err) {
      for (const fd of [reqR, reqW, repR, repW]) close(fd);
      throw err;
    }
    close(reqR);
    close(repW);
    setBlocking(repR, false);
    const c: Child = {
      pid,
      reqW,
      repR,
      frames: new FrameReader(),
      events,
      watched: new Set(),
      closed: false,
    };
    this.#children.add(c);
    for (const l of this.#loops.keys()) this.#watch(c, l);
    return {
      post: (msg: ToWorker, transfer?: Movable[]) => {
        this.#post(c, msg);
        // Copied through the pipe; detached as a thread pool would leave them.
        if (transfer !== undefined) _detach(transfer);
      },
      terminate: () => this.#end(c),
    };
  }

  #post(c: Child, msg: ToWorker): void {
    // Encoding throws for what cannot be cloned, before anything is sent.
    const bytes = encodeFrame(msg);
    try {
      let at = 0;
      while (at < bytes.length) at += write(c.reqW, bytes.subarray(at));
    } catch (err) {
      queueMicrotask(() => c.events.crash(err));
    }
  }

  /** Close the pipes (the child exits at EOF) and reap it. */
  #end(c: Child): void {
    if (c.closed) return;
    c.closed = true;
    this.#children.delete(c);
    for (const l of [...c.watched]) this.#unwatch(c, l);
    close(c.reqW);
    close(c.repR);
    reap(c.pid);
  }
}

/** Wait for child `pid` on host timers; SIGKILL it if it lingers. */
function reap(pid: number): void {
  const started = performance.now();
  let killed = false;
  const poll = (): void => {
    let code: number | null = null;
    try {
      code = waitpidNoHang(pid);
    } catch {
      return; // Already reaped.
    }
    if (code !== null) return;
    if (!killed && performance.now() - started > 2000) {
      killed = true;
      try {
        killProcess(pid, "SIGKILL");
      } catch { /* exited meanwhile */ }
    }
    setTimeout(poll, 5);
  };
  poll();
}
