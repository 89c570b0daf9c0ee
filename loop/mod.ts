/**
 * The event loop: scheduling, I/O readiness, running, and `run()`.
 *
 * @module
 */

export {
  EventLoop,
  type EventLoopOptions,
  type ExceptionHandler,
} from "./event_loop.ts";
export { Handle, TimerHandle } from "./handles.ts";
export { run, Runner, type RunOptions } from "./run.ts";
export {
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  setEventLoop,
} from "./policy.ts";
export { KeyboardInterrupt } from "./_signals.ts";
