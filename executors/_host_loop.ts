/**
 * A stand-in loop for futures made where no event loop runs (a pool used
 * from plain Deno code, `runCoroutineThreadsafe` called from a host
 * callback): callbacks run as microtasks, timers on host timers. Such a
 * future is awaited with `await`; `wrapFuture` moves it onto a real loop.
 *
 * @module
 */

import type {
  ExceptionContext,
  HandleLike,
  LoopLike,
} from "../futures/_loop.ts";
import { _getRunningLoopOrNull } from "../futures/_loop.ts";
import { TaskList } from "../futures/_task_list.ts";
import * as futureKeys from "../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _asyncTaskRef: typeof futureKeys._asyncTaskRef = futureKeys._asyncTaskRef;
const _callSoon1: typeof futureKeys._callSoon1 = futureKeys._callSoon1;
const _hostRef: typeof futureKeys._hostRef = futureKeys._hostRef;
const _tasks: typeof futureKeys._tasks = futureKeys._tasks;

class HostHandle implements HandleLike {
  #cancelled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  constructor(timer?: ReturnType<typeof setTimeout>) {
    this.#timer = timer;
  }
  cancel(): void {
    this.#cancelled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
  cancelled(): boolean {
    return this.#cancelled;
  }
}

class HostLoop implements LoopLike {
  readonly [_tasks]: TaskList = new TaskList();
  callSoon<A extends unknown[]>(
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike {
    const h = new HostHandle();
    queueMicrotask(() => {
      if (!h.cancelled()) this.#guard(() => callback(...args));
    });
    return h;
  }
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike {
    let h: HostHandle | null = null;
    const id = setTimeout(() => {
      if (!h!.cancelled()) this.#guard(() => callback(...args));
    }, Math.max(0, delay * 1000));
    h = new HostHandle(id);
    return h;
  }
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => void,
    ...args: A
  ): HandleLike {
    return this.callLater(when - this.time(), callback, ...args);
  }
  time(): number {
    return performance.now() / 1000;
  }
  callExceptionHandler(context: ExceptionContext): void {
    console.error(context.message, context.exception ?? "");
  }
  getDebug(): boolean {
    return false;
  }
  isClosed(): boolean {
    return false;
  }
  [_callSoon1]<A>(fn: (arg: A) => void, arg: A): void {
    queueMicrotask(() => this.#guard(() => fn(arg)));
  }
  [_hostRef](_delta: number): void {}
  [_asyncTaskRef](_delta: number): void {}
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.callExceptionHandler({
        message: "Exception in callback",
        exception: err,
      });
    }
  }
}

/** The one stand-in loop of this thread. @internal */
export const hostLoop: LoopLike = new HostLoop();

/** The running loop, or the stand-in when none runs. @internal */
export function currentLoop(): LoopLike {
  return _getRunningLoopOrNull() ?? hostLoop;
}
