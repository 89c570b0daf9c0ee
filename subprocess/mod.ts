/**
 * Child processes on the loop, asyncio's `asyncio.subprocess`:
 * `loop.subprocessExec`/`subprocessShell` drive a `SubprocessProtocol`.
 * Children are spawned with `posix_spawnp` through FFI and their exit is
 * observed by the loop (a pidfd on Linux).
 *
 * @module
 */

export { DEVNULL, PIPE, type Stdio, STDOUT } from "./constants.ts";
export type { SubprocessOptions } from "./subprocess_exec.ts";
