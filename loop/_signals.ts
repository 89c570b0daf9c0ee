/**
 * `loop.addSignalHandler` / `removeSignalHandler` on the host's signal
 * listeners: the host calls our listener on its own event loop, which hops
 * onto ours with `callSoonThreadsafe`, so the handler runs as a loop
 * callback.
 *
 * The listener runs only when the JS thread is back in the host's event
 * loop, which the loop gives a turn at least every `hostDelay` (10 ms by
 * default) and for every wait longer than that: so a handler runs within
 * about `hostDelay` of the signal. With `hostDelay: Infinity` the host gets
 * no turns, and handlers run only while the loop waits on host work.
 *
 * @module
 */

import type { LoopLike } from "../futures/_loop.ts";
import type { HandleLike } from "../futures/_loop.ts";
import { RuntimeError } from "../futures/errors.ts";
import { listenHostSignal } from "../poll/_host_signal.ts";
import { signalName, signalNumber } from "../poll/signals.ts";
import { killProcess } from "../poll/spawn.ts";
import { pid } from "../poll/_runtime.ts";

/** What signal handling needs from a loop. @internal */
export interface SignalLoop extends LoopLike {
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike;
}

interface Entry {
  stop: () => void;
}

const handlers = new WeakMap<SignalLoop, Map<number, Entry>>();

/**
 * Run `callback(...args)` on `loop` whenever signal `sig` arrives; replaces
 * a handler already set for `sig` on this loop.
 *
 * @throws {TypeError} for a coroutine function as callback, or a signal name
 *   that does not exist.
 * @throws {RangeError} for a number outside 1..64.
 * @throws {RuntimeError} `sig N cannot be caught` for SIGKILL, SIGSTOP and
 *   the signals the runtime refuses to listen to (SIGSEGV, SIGILL, ...).
 * @internal
 */
export function addSignalHandler<A extends unknown[]>(
  loop: SignalLoop,
  sig: number | string,
  callback: (...args: A) => void,
  args: A,
): void {
  if (loop.isClosed()) {
    throw new Error("Cannot add a signal handler: the event loop is closed");
  }
  if (typeof callback !== "function") {
    throw new TypeError(
      "Cannot add a signal handler: callback must be a function",
    );
  }
  const kind = (callback as { constructor?: { name?: string } }).constructor
    ?.name;
  if (kind === "GeneratorFunction" || kind === "AsyncFunction") {
    throw new TypeError(
      "Cannot add a signal handler: coroutines cannot be used, pass a plain function that creates a task",
    );
  }
  const n = signalNumber(sig);
  const name = signalName(n);
  if (name === undefined || name === "SIGKILL" || name === "SIGSTOP") {
    throw new RuntimeError(`sig ${n} cannot be caught`);
  }
  let map = handlers.get(loop);
  if (map === undefined) handlers.set(loop, map = new Map());
  let stopHost: () => void;
  const listener = (): void => {
    if (loop.isClosed()) {
      removeSignalHandler(loop, n);
      return;
    }
    loop.callSoonThreadsafe(callback, ...args);
  };
  try {
    stopHost = listenHostSignal(name, listener);
  } catch (err) {
    if (err instanceof TypeError) {
      const e = new RuntimeError(`sig ${n} cannot be caught`);
      (e as { cause?: unknown }).cause = err;
      throw e;
    }
    throw err;
  }
  // Replace after the new listener is in: no window with the default action.
  map.get(n)?.stop();
  let live = true;
  map.set(n, {
    stop: () => {
      if (!live) return;
      live = false;
      stopHost();
    },
  });
}

/**
 * Remove the handler for `sig` from `loop`; returns whether there was one.
 * The signal gets its default action back once no listener is left.
 *
 * @throws {TypeError} / {RangeError} for an invalid signal, as
 *   `addSignalHandler`.
 * @internal
 */
export function removeSignalHandler(
  loop: SignalLoop,
  sig: number | string,
): boolean {
  const n = signalNumber(sig);
  const map = handlers.get(loop);
  const entry = map?.get(n);
  if (entry === undefined) return false;
  map!.delete(n);
  entry.stop();
  return true;
}

/**
 * Remove every handler of `loop` (as asyncio's `close()` does).
 * @internal
 */
export function removeAllSignalHandlers(loop: SignalLoop): void {
  const map = handlers.get(loop);
  if (map === undefined) return;
  for (const n of [...map.keys()]) removeSignalHandler(loop, n);
}

/**
 * Raised by `run()` / `Runner.run()` when Ctrl-C (SIGINT) cancelled the main
 * task and the task did not swallow the cancellation — Python's
 * `KeyboardInterrupt` from `asyncio.run`.
 *
 * @example
 * ```ts
 * import { KeyboardInterrupt } from "../mod.ts";
 * console.log(new KeyboardInterrupt().name); // "KeyboardInterrupt"
 * ```
 */
export class KeyboardInterrupt extends Error {
  /**
   * Create the error.
   *
   * @param message Default "Interrupted by SIGINT". */
  constructor(message = "Interrupted by SIGINT") {
    super(message);
    this.name = "KeyboardInterrupt";
  }
}

/** What `run()` needs of its main task. @internal */
export interface MainTask {
  done(): boolean;
  cancel(msg?: unknown): boolean;
  uncancel(): number;
}

/**
 * Python 3.11's `Runner` behaviour for Ctrl-C: the first SIGINT cancels
 * `task` (so its `finally` blocks run); a second one, or one while no task
 * can be cancelled, ends the process with SIGINT's default action. A handler
 * set with `loop.addSignalHandler("SIGINT", ...)` takes precedence.
 *
 * No host work is counted for it (that would make every `run()` wait on the
 * thread pool): the listener runs at the loop's next host turn.
 *
 * @returns `translate(err)` (a CancelledError caused by the SIGINT becomes
 *   `KeyboardInterrupt`) and `remove()`.
 * @internal
 */
export function cancelOnSigint(
  loop: SignalLoop,
  task: MainTask,
): { translate(err: unknown): unknown; remove(): void } {
  let count = 0;
  let stop: (() => void) | null = null;
  const sigint = signalNumber("SIGINT");
  const listener = (): void => {
    if (handlers.get(loop)?.has(sigint)) return;
    count++;
    if (count === 1 && !task.done() && !loop.isClosed()) {
      loop.callSoonThreadsafe(() => task.cancel());
      return;
    }
    // As Python's second Ctrl-C: stop now, with SIGINT's default action.
    stop?.();
    stop = null;
    killProcess(pid(), sigint);
  };
  try {
    stop = listenHostSignal("SIGINT", listener);
  } catch {
    // A host without signal listeners: Ctrl-C keeps its default action.
  }
  return {
    translate(err: unknown): unknown {
      if (count > 0 && isCancelled(err) && task.uncancel() === 0) {
        return new KeyboardInterrupt();
      }
      return err;
    },
    remove(): void {
      stop?.();
      stop = null;
    },
  };
}

function isCancelled(err: unknown): boolean {
  return err instanceof Error && err.name === "CancelledError";
}
