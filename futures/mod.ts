/**
 * Futures, tasks and everything built on them: cancellation, timeouts,
 * combinators, structured concurrency, synchronization primitives, queues.
 *
 * @module
 */

export {
  CancelledError,
  InvalidStateError,
  RuntimeError,
  TimeoutError,
} from "./errors.ts";
export { type DoneCallback, Future, isFuture } from "./future.ts";
export {
  allTasks,
  type Coro,
  type CoroutineLike,
  createTask,
  currentTask,
  Task,
  type TaskOptions,
} from "./task.ts";
export { type Sleep, sleep } from "./sleep.ts";
export { fromPromise, toPromise } from "./promise.ts";
export { type Awaitable, ensureFuture } from "./ensure_future.ts";
export type { ExceptionContext, HandleLike, LoopLike } from "./_loop.ts";
export {
  type AwaitedOf,
  gather,
  type GatherOptions,
  type GatherResults,
} from "./gather.ts";
export type { Awaitable as PrimitiveAwaitable } from "./_wait.ts";
export { type Held, Lock } from "./lock.ts";
export { Event } from "./event.ts";
export { Condition } from "./condition.ts";
export { BoundedSemaphore, Semaphore } from "./semaphore.ts";
export { Barrier, BrokenBarrierError } from "./barrier.ts";
export {
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  type QueueStore,
} from "./queues.ts";
export { LifoQueue } from "./lifo_queue.ts";
export {
  type Compare,
  naturalOrder,
  PriorityQueue,
  type PriorityQueueOptions,
} from "./priority_queue.ts";
export { Timeout, timeout, timeoutAt, type TimeoutBody } from "./timeout.ts";
export { waitFor } from "./wait_for.ts";
export {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  wait,
  type WaitOptions,
} from "./wait.ts";
export { shield } from "./shield.ts";
export {
  AsCompleted,
  asCompleted,
  type AsCompletedOptions,
} from "./as_completed.ts";
export { ExceptionGroup, TaskGroup } from "./task_group.ts";
export type { ScopeBody } from "./_scoped.ts";
