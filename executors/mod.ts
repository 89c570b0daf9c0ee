/**
 * Executors: run blocking or CPU-bound work off the loop, on pool threads
 * (`ThreadPoolExecutor`) or child processes (`ProcessPoolExecutor`), as
 * `concurrent.futures`, and the loop's side of it: `runInExecutor`,
 * `toThread`, `wrapFuture`, `runCoroutineThreadsafe`.
 *
 * @module
 */

export {
  type NativeArgs,
  type NativeFunction,
  type NativeNumberType,
  type NativeResult,
  type NativeSignature,
  nativeWork,
  type Work,
  work,
  type WorkFunction,
  type WorkResult,
} from "./work.ts";
export {
  Executor,
  type MapOptions,
  MapResults,
  type ShutdownOptions,
} from "./executor.ts";
export { ThreadPoolExecutor, type ThreadPoolOptions } from "./thread_pool.ts";
export {
  ProcessPoolExecutor,
  type ProcessPoolOptions,
} from "./process_pool.ts";
export {
  BrokenExecutor,
  BrokenProcessPool,
  BrokenThreadPool,
} from "./errors.ts";
export { toThread, wrapFuture } from "./run_in_executor.ts";
export { runCoroutineThreadsafe } from "./threadsafe.ts";
export { type Movable, transfer } from "./transfer.ts";
export { LoopPort, type RemoteLoop } from "./loop_port.ts";
