/**
 * `createSubprocessExec` and `createSubprocessShell`: asyncio's
 * high-level way to run a child, giving a {@linkcode Process} with streams.
 *
 * @module
 */

import { _requireLoop } from "../futures/_loop.ts";
import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import type { SubprocessLoop } from "./_loop.ts";
import { Process, SubprocessStreamProtocol } from "./process.ts";
import { start, type SubprocessOptions } from "./subprocess_exec.ts";

/**
 * Options of {@linkcode createSubprocessExec} and
 * {@linkcode createSubprocessShell}: those of `loop.subprocessExec` (stdio
 * default to inherit here, as asyncio) plus the streams' `limit`.
 *
 * @example
 * ```ts
 * import { type CreateSubprocessOptions, PIPE, STDOUT } from "../mod.ts";
 * const opts: CreateSubprocessOptions = { stdout: PIPE, stderr: STDOUT, limit: 1 << 20 };
 * ```
 */
export interface CreateSubprocessOptions extends SubprocessOptions {
  /** Buffer limit of the stdout/stderr readers (default 64 KiB). */
  limit?: number;
}

/**
 * Run `program` (looked up in PATH when it has no slash) with `args` —
 * asyncio's `create_subprocess_exec`. Spawning goes through
 * `posix_spawnp` by FFI: no `--allow-run` is needed.
 *
 * @param program The program to run.
 * @param args Its arguments (not including the program).
 * @param options stdio (`PIPE`, `DEVNULL`, `STDOUT`, an fd; default
 *   inherit), `cwd`, `env`, `limit`, sessions, fds.
 * @returns A Future of the {@linkcode Process}. It fails with
 *   `FileNotFoundError` for a missing program, `PermissionError` for one
 *   that is not executable — no child exists then.
 *
 * @example Passing input and collecting output (generator form)
 * ```ts
 * import { createSubprocessExec, PIPE, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const out = await run(function* () {
 *   const proc = yield* createSubprocessExec("tr", ["a-z", "A-Z"], {
 *     stdin: PIPE,
 *     stdout: PIPE,
 *   });
 *   const [stdout] = yield* proc.communicate(new TextEncoder().encode("shout"));
 *   return new TextDecoder().decode(stdout!);
 * });
 * assert.equal(out, "SHOUT");
 * ```
 */
export function createSubprocessExec(
  program: string,
  args: readonly string[] = [],
  options: CreateSubprocessOptions = {},
): Future<Process> {
  const loop = _requireLoop("create a subprocess") as SubprocessLoop;
  return new Task(function* () {
    if (!Array.isArray(args)) {
      throw new TypeError("Cannot spawn: args must be an array of strings");
    }
    return yield* startProcess(loop, [program, ...args], options);
  }, { loop });
}

/**
 * Run `cmd` with `/bin/sh -c` — asyncio's `create_subprocess_shell`. Quote
 * untrusted input yourself, or use {@linkcode createSubprocessExec}.
 *
 * @returns As {@linkcode createSubprocessExec}.
 *
 * @example
 * ```ts
 * import { createSubprocessShell, PIPE, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const [out, code] = await run(async () => {
 *   const proc = await createSubprocessShell("echo one; exit 2", { stdout: PIPE });
 *   const line = await proc.stdout!.readline();
 *   return [new TextDecoder().decode(line), await proc.wait()];
 * });
 * assert.deepEqual([out, code], ["one\n", 2]);
 * ```
 */
export function createSubprocessShell(
  cmd: string,
  options: CreateSubprocessOptions = {},
): Future<Process> {
  const loop = _requireLoop("create a subprocess") as SubprocessLoop;
  return new Task(function* () {
    if (typeof cmd !== "string") {
      throw new TypeError(
        `Cannot spawn a shell: cmd must be a string, got ${typeof cmd}`,
      );
    }
    return yield* startProcess(loop, ["/bin/sh", "-c", cmd], options);
  }, { loop });
}

function* startProcess(
  loop: SubprocessLoop,
  argv: string[],
  options: CreateSubprocessOptions,
): Generator<unknown, Process, unknown> {
  const { limit, ...spec } = options;
  const [transport, protocol] = yield* start(
    loop,
    () => new SubprocessStreamProtocol(limit, loop),
    argv,
    spec,
  );
  return new Process(transport, protocol, loop);
}
