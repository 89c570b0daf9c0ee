/**
 * The loop's registry of tasks not done yet (`allTasks()`, the pending tasks
 * `run()` cancels at its end): a list threaded through the tasks themselves.
 * A `Set` hashed every task twice (added when made, deleted when done),
 * about 10% of spawning a task on Node and Deno; the links cost two fields
 * per task and no hashing. Iteration is in creation order, as the Set's was.
 *
 * @module
 */

import * as futureKeys from "./_keys.ts";

// The keys as this module's own consts (see task.ts).
const _prevTask: typeof futureKeys._prevTask = futureKeys._prevTask;
const _nextTask: typeof futureKeys._nextTask = futureKeys._nextTask;

/** What the list threads through: a task's two link fields. @internal */
export interface TaskLink {
  /** The task before this one, or null at the head (or when not listed). */
  [_prevTask]: TaskLink | null;
  /** The task after this one, or null at the tail (or when not listed). */
  [_nextTask]: TaskLink | null;
}

/** An intrusive, insertion-ordered list of tasks. @internal */
export class TaskList implements Iterable<TaskLink> {
  #head: TaskLink | null = null;
  #tail: TaskLink | null = null;
  #size = 0;

  /** How many tasks are listed. */
  get size(): number {
    return this.#size;
  }

  /** List `t` at the tail; `t` must not be listed already. */
  add(t: TaskLink): void {
    const tail = this.#tail;
    t[_prevTask] = tail;
    t[_nextTask] = null;
    if (tail === null) this.#head = t;
    else tail[_nextTask] = t;
    this.#tail = t;
    this.#size++;
  }

  /** Unlist `t`; false (and nothing changed) when it was not listed. */
  delete(t: TaskLink): boolean {
    const prev = t[_prevTask];
    const next = t[_nextTask];
    if (prev === null && this.#head !== t) return false;
    if (prev === null) this.#head = next;
    else prev[_nextTask] = next;
    if (next === null) this.#tail = prev;
    else next[_prevTask] = prev;
    t[_prevTask] = null;
    t[_nextTask] = null;
    this.#size--;
    return true;
  }

  /** Unlist every task. */
  clear(): void {
    let t = this.#head;
    while (t !== null) {
      const next = t[_nextTask];
      t[_prevTask] = null;
      t[_nextTask] = null;
      t = next;
    }
    this.#head = this.#tail = null;
    this.#size = 0;
  }

  /** The listed tasks in creation order; deleting the current one is safe. */
  *[Symbol.iterator](): Iterator<TaskLink> {
    let t = this.#head;
    while (t !== null) {
      const next = t[_nextTask];
      yield t;
      t = next;
    }
  }
}
