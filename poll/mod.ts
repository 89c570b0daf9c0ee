/**
 * The OS boundary: libc through Deno's FFI, errno as typed errors, the
 * selectors (select, poll, epoll, kqueue) and small fd helpers. Knows
 * nothing about loops or futures.
 *
 * @module
 */

export {
  EVENT_READ,
  EVENT_WRITE,
  type FileObject,
  type HasFileno,
  type Selector,
  type SelectorKey,
  type SelectResult,
} from "./types.ts";
export { BaseSelector } from "./_base.ts";
export { EpollSelector } from "./epoll.ts";
export { PollSelector } from "./poll.ts";
export { FD_SETSIZE, SelectSelector } from "./select.ts";
export { KqueueSelector } from "./kqueue.ts";
export {
  DefaultSelector,
  type DefaultSelectorChoice,
  defaultSelectorName,
  type SelectorName,
} from "./default.ts";
export {
  close,
  eventfd,
  type FdOptions,
  pipe,
  read,
  setBlocking,
  socketPair,
  write,
} from "./fd.ts";
export { Wakeup } from "./wakeup.ts";
export { fileno } from "./fileno.ts";
export { monotonic } from "./clock.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  errnoName,
  errnoOf,
  FileNotFoundError,
  fromErrno,
  InterruptedError,
  NotADirectoryError,
  OSError,
  type OSErrorOptions,
  PermissionError,
  ProcessLookupError,
  strerror,
  TimeoutError,
} from "./errors.ts";
export { signalName, signalNumber } from "./signals.ts";
