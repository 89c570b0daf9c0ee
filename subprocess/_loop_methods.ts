/**
 * What `loop/event_loop.ts` delegates its subprocess and pipe methods to,
 * in one import: each takes the loop as its first argument.
 *
 * @module
 */

export type {
  BaseProtocol,
  Protocol,
  ReadTransport,
  SubprocessProtocol,
  SubprocessTransport,
  WriteTransport,
} from "../net/types.ts";
export {
  subprocessExec,
  type SubprocessOptions,
  subprocessShell,
} from "./subprocess_exec.ts";
export { connectReadPipe, connectWritePipe } from "../net/pipe_transport.ts";
