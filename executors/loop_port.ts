/**
 * `LoopPort`: how another thread reaches a loop. Nothing of a loop, and no
 * coroutine or function, can cross to another thread (structured clone
 * refuses them); a message can. So the loop's thread opens a port, sends
 * its `remote` end to the other thread, and code there calls
 * `runCoroutineThreadsafe(work, remote, ...args)` with a *named* coroutine
 * (`work()` of an exported generator or async function): it runs as a
 * task on the loop and its outcome comes back as a future there.
 *
 * The other thread posts the request, then rings the doorbell (see
 * `_doorbell.ts`): a loop waiting synchronously in its selector wakes and
 * takes a host turn to receive it.
 *
 * @module
 */

import { RuntimeError } from "../futures/errors.ts";
import { _requireLoop, type LoopLike } from "../futures/_loop.ts";
import { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import { fromPromise } from "../futures/promise.ts";
import { Wakeup } from "../poll/wakeup.ts";
import type { PortReply, PortRequest, WorkRef } from "./_wire.ts";
import { fromWire, toWire, unclonableResult } from "./_wire.ts";
import { resolveWork } from "./_run_work.ts";
import {
  canWatch,
  doorbellWriteFd,
  type ReaderLoop,
  replyReceived,
  watchDoorbell,
} from "./_doorbell.ts";
import { hold } from "./_loop.ts";
import { currentLoop } from "./_host_loop.ts";
import { toRef } from "./_pool.ts";
import {
  _checkWork,
  type Work,
  type WorkFunction,
  type WorkResult,
} from "./work.ts";

/**
 * The end of a `LoopPort` that goes to the other thread: post it there
 * with its `port` transferred (`worker.postMessage(remote, [remote.port])`,
 * or `transfer(remote, [remote.port])` as the argument of pool work).
 *
 * @example
 * ```ts
 * import type { RemoteLoop } from "./loop_port.ts";
 * const isRemote = (x: RemoteLoop) => x.bell >= 0;
 * console.log(typeof isRemote);
 * ```
 */
export interface RemoteLoop {
  /** The channel to the loop's thread. */
  // By the prototype type of the global, so that a Node program's types
  // (node:worker_threads' MessagePort, no DOM library) check too.
  readonly port: (typeof MessagePort)["prototype"];
  /** The fd the other thread writes to wake the loop. */
  readonly bell: number;
  /** Shared: `[1]` once the port is closed. */
  readonly state: Int32Array;
}

/**
 * A port through which other threads run named coroutines on `loop`, as
 * tasks: `runCoroutineThreadsafe(work, remote, ...args)` over there.
 * While it is open the loop watches the doorbell, and the port keeps the
 * process alive: close it (`using`, `close()`) when done. Once it is
 * closed, `runCoroutineThreadsafe` over there throws `RuntimeError`; tasks
 * in flight finish and reply, then the port closes (a request posted in
 * the very moment of `close()` may get no reply: close it when the other
 * thread is done with it).
 *
 * Differs from asyncio, for a JavaScript reason: asyncio's other threads
 * hold the loop object and pass a coroutine object; here both are named.
 *
 * @example Run a coroutine of this program from a Worker
 * ```ts
 * import { LoopPort, run, ThreadPoolExecutor, transfer } from "../mod.ts";
 * import { askLoopWork } from "../examples/_remote_work.ts";
 * import assert from "node:assert/strict";
 *
 * const got = await run(function* () {
 *   using port = new LoopPort();
 *   using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 *   // The pool thread calls runCoroutineThreadsafe(addLaterWork, remote, 2, 3).
 *   return yield* pool.submit(askLoopWork, transfer(port.remote, [port.remote.port]));
 * });
 * assert.equal(got, 5);
 * ```
 */
export class LoopPort implements Disposable {
  /** The end to send to the other thread. */
  readonly remote: RemoteLoop;
  readonly #local: MessagePort;
  readonly #loop: LoopLike;
  readonly #tasks = new Map<number, Future<unknown>>();
  #closing = false;
  #closed = false;

  /**
   * Open a port to `loop`.
   *
   * @param loop The loop; default the running one.
   * @throws {RuntimeError} if no loop runs and none is given, or `loop` is
   *   closed.
   */
  constructor(loop?: LoopLike) {
    const l = loop ?? _requireLoop("open a loop port");
    if (l.isClosed() || !canWatch(l)) {
      throw new RuntimeError(
        "Cannot open a loop port: the loop is closed or cannot watch fds, open it on a running event loop",
      );
    }
    this.#loop = l;
    const { port1, port2 } = new MessageChannel();
    this.#local = port1;
    this.remote = {
      port: port2,
      bell: doorbellWriteFd(),
      state: new Int32Array(new SharedArrayBuffer(4)),
    };
    watchDoorbell(l as ReaderLoop, 1);
    port1.onmessage = (e: MessageEvent<PortRequest>) => this.#request(e.data);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closing;
  }

  /** Refuse new requests; close once the tasks in flight have replied. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    Atomics.store(this.remote.state, 0, 1);
    if (!this.#loop.isClosed()) watchDoorbell(this.#loop as ReaderLoop, -1);
    this.#finish();
  }

  /** `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #request(req: PortRequest): void {
    // The ring that announced this message is answered.
    replyReceived();
    if (req.t === "cancel") {
      this.#tasks.get(req.id)?.cancel();
      return;
    }
    if (this.#closing || this.#loop.isClosed()) {
      this.#reply({
        t: "err",
        id: req.id,
        error: toWire(
          new RuntimeError(
            "Cannot run a coroutine on the loop: its LoopPort is closed",
          ),
        ),
      });
      return;
    }
    const fut = new Task(body(req.work, req.args), { loop: this.#loop });
    this.#tasks.set(req.id, fut);
    fut.addDoneCallback(() => {
      this.#tasks.delete(req.id);
      if (fut.cancelled()) {
        this.#reply({ t: "cancelled", id: req.id });
      } else if (fut.exception() !== undefined) {
        this.#reply({ t: "err", id: req.id, error: toWire(fut.exception()) });
      } else {
        this.#replyValue(req.id, fut.result());
      }
      this.#finish();
    });
  }

  #replyValue(id: number, value: unknown): void {
    try {
      this.#reply({ t: "ok", id, value });
    } catch (err) {
      this.#reply(unclonableResult(id, err, "coroutine"));
    }
  }

  #reply(msg: PortReply): void {
    if (!this.#closed) this.#local.postMessage(msg);
  }

  #finish(): void {
    if (this.#closing && this.#tasks.size === 0 && !this.#closed) {
      this.#closed = true;
      this.#local.close();
    }
  }
}

/**
 * The task body: load the work, call it, and run what it returns here — a
 * generator inside this very task, a Promise awaited.
 */
function* body(ref: WorkRef, args: unknown[]): Generator<unknown, unknown> {
  const fn = yield* fromPromise(resolveWork(ref));
  const r = fn(...args);
  if (isGenerator(r)) return yield* r;
  if (typeof (r as PromiseLike<unknown>)?.then === "function") {
    return yield* fromPromise(r as PromiseLike<unknown>);
  }
  return r;
}

function isGenerator(x: unknown): x is Generator<unknown, unknown> {
  return typeof x === "object" && x !== null &&
    typeof (x as Generator).next === "function" &&
    typeof (x as Generator).throw === "function" &&
    typeof (x as Iterable<unknown>)[Symbol.iterator] === "function";
}

// ---- the other thread's end ----------------------------------------------

interface Client {
  pending: Map<number, Future<unknown>>;
}

const clients = new WeakMap<MessagePort, Client>();
let nextId = 1;

/**
 * Run the named coroutine `work(...args)` as a task on the loop at the
 * other end of `remote`: `runCoroutineThreadsafe(work, remote, ...args)`
 * from another thread. @internal
 */
export function _runRemote<F extends WorkFunction>(
  work: Work<F>,
  remote: RemoteLoop,
  args: unknown[],
): Future<WorkResult<F>> {
  const ref = toRef(_checkWork(work, "run a coroutine threadsafe"));
  if (Atomics.load(remote.state, 0) !== 0) {
    throw new RuntimeError(
      "Cannot run a coroutine threadsafe: the loop's LoopPort is closed, open a new one",
    );
  }
  const here = currentLoop();
  const id = nextId++;
  const port = remote.port;
  try {
    port.postMessage({ t: "run", id, work: ref, args } satisfies PortRequest);
  } catch (err) {
    throw new TypeError(
      `Cannot run a coroutine threadsafe: an argument cannot be cloned to the loop's thread (${
        err instanceof Error ? err.message : String(err)
      }), pass data, not functions or host objects`,
      { cause: err },
    );
  }
  Wakeup.signalFd(remote.bell);
  const out = new Future<WorkResult<F>>({ loop: here });
  const client = clientOf(port);
  client.pending.set(id, out as Future<unknown>);
  // The reply is a message: the loop here takes host turns until it comes.
  hold(here, out as Future<unknown>);
  out.addDoneCallback(() => {
    if (out.cancelled() && client.pending.delete(id)) {
      port.postMessage({ t: "cancel", id } satisfies PortRequest);
      Wakeup.signalFd(remote.bell);
    }
    client.pending.delete(id);
    // No reply expected: let the port stop holding this thread alive.
    if (client.pending.size === 0) port.onmessage = null;
  });
  return out;
}

function clientOf(port: MessagePort): Client {
  let c = clients.get(port);
  if (c === undefined) {
    c = { pending: new Map() };
    clients.set(port, c);
  }
  const client = c;
  port.onmessage ??= (e: MessageEvent<PortReply>) => {
    const m = e.data;
    const fut = client.pending.get(m.id);
    if (fut === undefined || fut.done() || fut.getLoop().isClosed()) return;
    client.pending.delete(m.id);
    if (m.t === "ok") fut.setResult(m.value);
    else if (m.t === "err") fut.setException(fromWire(m.error));
    else fut.cancel();
  };
  return client;
}
