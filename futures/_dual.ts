/**
 * Compound operations (a condition wait, a barrier wait) written once as a
 * generator and awaitable both ways: `yield*` runs the generator inline; an
 * async function's `await` runs it as a child task whose cancellation
 * follows the awaiting task's.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import { CancelledError, RuntimeError } from "./errors.ts";
import { type Coro, Task } from "./task.ts";
import type { Awaitable } from "./_wait.ts";
import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _exception: typeof futureKeys._exception = futureKeys._exception;
const _result: typeof futureKeys._result = futureKeys._result;

class Dual<T> implements Awaitable<T> {
  readonly #make: () => Coro<T>;
  readonly #name: string;
  readonly #interrupted: ((value: T) => void) | null;
  #used = false;
  constructor(
    make: () => Coro<T>,
    name: string,
    interrupted: ((value: T) => void) | null,
  ) {
    this.#make = make;
    this.#name = name;
    this.#interrupted = interrupted;
  }
  [Symbol.iterator](): Coro<T> {
    this.#use();
    return this.#make();
  }

  // Like a coroutine, the operation runs once: a second await would run it
  // again (wait again, take another slot), which nobody means.
  #use(): void {
    if (this.#used) {
      throw new RuntimeError(
        `Cannot await ${this.#name}() twice: call it again for a new operation`,
      );
    }
    this.#used = true;
  }
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#use();
    const loop = _requireLoop(this.#name);
    // eagerStart: the operation begins at the await, as an inline coroutine would.
    const task = new Task(this.#make(), {
      loop,
      name: this.#name,
      eagerStart: true,
    });
    const interrupted = this.#interrupted;
    if (interrupted === null) return task.then(onfulfilled, onrejected);
    return task.then(onfulfilled, (err) => {
      // The child finished, but the awaiting task was cancelled before it
      // resumed: what the child got (a notification) is handed on.
      if (
        err instanceof CancelledError && task.done() && !task.cancelled() &&
        task[_exception] === undefined
      ) {
        interrupted(task[_result] as T);
      }
      if (typeof onrejected === "function") return onrejected(err);
      throw err;
    });
  }
}

/**
 * An awaitable running `make()`'s generator. `interrupted(value)` runs when
 * an awaiting async function is cancelled after the generator returned
 * `value` but before the function resumed (the `yield*` form sees that
 * cancellation inside the generator instead).
 * @internal
 */
export function dual<T>(
  make: () => Coro<T>,
  name: string,
  interrupted: ((value: T) => void) | null = null,
): Awaitable<T> {
  return new Dual(make, name, interrupted);
}
