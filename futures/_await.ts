/**
 * How async functions await our futures: the thenable side of `Future`.
 *
 * An async-function task runs its function inside `taskContext.run(task, …)`.
 * When that function does `await fut`, V8 calls `fut.then(resolve, reject)`
 * in a microtask that keeps the async context, so `taskContext.getStore()`
 * names the awaiting task. The task records what it waits on (so `cancel()`
 * can cancel it) and, on wake-up, may turn the result into a
 * `CancelledError` it owes the function.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { CancelledError } from "./errors.ts";

/** What an awaiting async-function task does around one await. @internal */
export interface AsyncAwaiter {
  /** The task starts waiting on `fut`. */
  _awaitStart(fut: Cancellable): void;
  /** The wait on `fut` ended; returns an error the task must throw instead. */
  _awaitEnd(fut: Cancellable): CancelledError | null;
}

/** The part of a Future the hook needs. @internal */
export interface Cancellable {
  cancel(msg?: string): boolean;
  done(): boolean;
  result(): unknown;
  addDoneCallback(cb: (f: Cancellable) => void): void;
}

/** The task whose async function is running, if any. @internal */
export const taskContext: AsyncLocalStorage<AsyncAwaiter> =
  new AsyncLocalStorage<AsyncAwaiter>();

/**
 * `then()` for a future: settle `onfulfilled`/`onrejected` when `fut` is done
 * (through `callSoon`, like every done callback).
 * @internal
 */
export function _awaitHook<T, R1, R2>(
  fut: Cancellable,
  onfulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
  onrejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
): Promise<R1 | R2> {
  const task = taskContext.getStore();
  if (task !== undefined) task._awaitStart(fut);
  return new Promise<R1 | R2>((resolve, reject) => {
    fut.addDoneCallback(() => {
      const owed = task !== undefined ? task._awaitEnd(fut) : null;
      let value: T;
      try {
        if (owed !== null) throw owed;
        value = fut.result() as T;
      } catch (err) {
        if (typeof onrejected === "function") {
          try {
            resolve(onrejected(err));
          } catch (err2) {
            reject(err2);
          }
        } else {
          reject(err);
        }
        return;
      }
      if (typeof onfulfilled === "function") {
        try {
          resolve(onfulfilled(value));
        } catch (err) {
          reject(err);
        }
      } else {
        resolve(value as unknown as R1);
      }
    });
  });
}
