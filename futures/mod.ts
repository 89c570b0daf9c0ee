/**
 * Futures, tasks and everything built on them: cancellation, timeouts,
 * combinators, structured concurrency, synchronization primitives, queues.
 *
 * @module
 */

export { CancelledError, InvalidStateError } from "./errors.ts";
export { type DoneCallback, Future, isFuture } from "./future.ts";
export {
  allTasks,
  type Coro,
  type CoroutineLike,
  createTask,
  currentTask,
  RuntimeError,
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
