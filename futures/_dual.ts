/**
 * Compound operations (a condition wait, a barrier wait) written once as a
 * generator and awaitable both ways: `yield*` runs the generator inline; an
 * async function's `await` runs it as a child task whose cancellation
 * follows the awaiting task's.
 *
 * @module
 */

import { _requireLoop } from "./_loop.ts";
import { type Coro, Task } from "./task.ts";
import type { Awaitable } from "./_wait.ts";

class Dual<T> implements Awaitable<T> {
  readonly #make: () => Coro<T>;
  readonly #name: string;
  constructor(make: () => Coro<T>, name: string) {
    this.#make = make;
    this.#name = name;
  }
  [Symbol.iterator](): Coro<T> {
    return this.#make();
  }
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const loop = _requireLoop(this.#name);
    // eagerStart: the operation begins at the await, as an inline coroutine would.
    const task = new Task(this.#make(), {
      loop,
      name: this.#name,
      eagerStart: true,
    });
    return task.then(onfulfilled, onrejected);
  }
}

/** An awaitable running `make()`'s generator. @internal */
export function dual<T>(make: () => Coro<T>, name: string): Awaitable<T> {
  return new Dual(make, name);
}
