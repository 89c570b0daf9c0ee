/**
 * Child processes on the loop, asyncio's `asyncio.subprocess`:
 * `createSubprocessExec`/`createSubprocessShell` give a `Process` with
 * streams; `loop.subprocessExec`/`subprocessShell` drive a
 * `SubprocessProtocol`. Children are spawned with `posix_spawnp` through
 * FFI (no `--allow-run` needed) and their exit is observed by the loop (a
 * pidfd on Linux).
 *
 * @module
 */

export { DEVNULL, PIPE, type Stdio, STDOUT } from "./constants.ts";
export {
  createSubprocessExec,
  type CreateSubprocessOptions,
  createSubprocessShell,
} from "./create.ts";
export { Process } from "./process.ts";
export type { SubprocessOptions } from "./subprocess_exec.ts";
