/**
 * `subprocessExec` and `subprocessShell`: asyncio's `loop.subprocess_exec`
 * and `loop.subprocess_shell`, the protocol-level way to run a child.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import type { SubprocessProtocol, SubprocessTransport } from "../net/types.ts";
import type { SubprocessLoop } from "./_loop.ts";
import { PIPE, type Stdio } from "./constants.ts";
import { type ProcessSpec, ProcessTransport } from "./transport.ts";

/**
 * Options of {@linkcode subprocessExec} and {@linkcode subprocessShell}
 * (and of `createSubprocessExec`), asyncio's keyword arguments.
 *
 * @example
 * ```ts
 * import { DEVNULL, PIPE, type SubprocessOptions } from "../mod.ts";
 * const opts: SubprocessOptions = { stdin: DEVNULL, stdout: PIPE, cwd: "/" };
 * ```
 */
export interface SubprocessOptions {
  /** `PIPE`, `DEVNULL`, an fd, or null to inherit. */
  stdin?: Stdio;
  /** `PIPE`, `DEVNULL`, an fd, or null to inherit. */
  stdout?: Stdio;
  /** `PIPE`, `STDOUT`, `DEVNULL`, an fd, or null to inherit. */
  stderr?: Stdio;
  /** Working directory of the child. */
  cwd?: string;
  /** The child's whole environment (default: ours). */
  env?: Record<string, string>;
  /** More fds the child keeps under the same numbers. */
  passFds?: readonly number[];
  /** Close other inherited fds in the child (default true). */
  closeFds?: boolean;
  /** Run the child in a new session (`setsid`). */
  startNewSession?: boolean;
  /** Put the child in process group `n` (0: a new one). */
  processGroup?: number;
}

/**
 * asyncio's `loop.subprocess_exec`: run `program` with `args`, driving the
 * protocol `protocolFactory()` makes. stdin, stdout and stderr default to
 * `PIPE` here (as asyncio's loop method).
 *
 * @returns A Future of `[transport, protocol]` once `connectionMade` ran.
 *   It fails with `FileNotFoundError`/`PermissionError` if the program
 *   cannot run (no child is created then), `TypeError` for bad options.
 *
 * @example Output through a protocol
 * ```ts
 * import { getRunningLoop, run } from "../mod.ts";
 * import type { EventLoop, SubprocessProtocol } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const out = await run(function* () {
 *   const loop = getRunningLoop() as EventLoop;
 *   const chunks: Uint8Array[] = [];
 *   const done = loop.createFuture<void>();
 *   const [transport] = yield* loop.subprocessExec((): SubprocessProtocol => ({
 *     pipeDataReceived: (_fd, data) => chunks.push(data),
 *     connectionLost: () => done.setResult(),
 *   }), "echo", ["hi"]);
 *   yield* done;
 *   assert.equal(transport.getReturncode(), 0);
 *   transport.close();
 *   return new TextDecoder().decode(chunks[0]);
 * });
 * assert.equal(out, "hi\n");
 * ```
 */
export function subprocessExec<P extends SubprocessProtocol>(
  loop: SubprocessLoop,
  protocolFactory: () => P,
  program: string,
  args: readonly string[] = [],
  options: SubprocessOptions = {},
): Future<[SubprocessTransport, P]> {
  return new Task(function* () {
    if (!Array.isArray(args)) {
      throw new TypeError("Cannot spawn: args must be an array of strings");
    }
    return yield* start(loop, protocolFactory, [program, ...args], {
      stdin: PIPE,
      stdout: PIPE,
      stderr: PIPE,
      ...options,
    });
  }, { loop });
}

/**
 * asyncio's `loop.subprocess_shell`: run `cmd` with `/bin/sh -c`. Quote
 * untrusted input yourself (or use `subprocessExec`).
 *
 * @returns As {@linkcode subprocessExec}.
 *
 * @example
 * ```ts
 * import { getRunningLoop, run } from "../mod.ts";
 * import type { EventLoop, SubprocessProtocol } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const code = await run(function* () {
 *   const loop = getRunningLoop() as EventLoop;
 *   const done = loop.createFuture<void>();
 *   const [t] = yield* loop.subprocessShell((): SubprocessProtocol => ({
 *     connectionLost: () => done.setResult(),
 *   }), "exit 4");
 *   yield* done;
 *   t.close();
 *   return t.getReturncode();
 * });
 * assert.equal(code, 4);
 * ```
 */
export function subprocessShell<P extends SubprocessProtocol>(
  loop: SubprocessLoop,
  protocolFactory: () => P,
  cmd: string,
  options: SubprocessOptions = {},
): Future<[SubprocessTransport, P]> {
  return new Task(function* () {
    if (typeof cmd !== "string") {
      throw new TypeError(
        `Cannot spawn a shell: cmd must be a string, got ${typeof cmd}`,
      );
    }
    return yield* start(loop, protocolFactory, ["/bin/sh", "-c", cmd], {
      stdin: PIPE,
      stdout: PIPE,
      stderr: PIPE,
      ...options,
    });
  }, { loop });
}

/** Spawn and connect; the generator behind both. @internal */
export function* start<P extends SubprocessProtocol>(
  loop: SubprocessLoop,
  protocolFactory: () => P,
  argv: string[],
  spec: Omit<ProcessSpec, "argv">,
): Generator<unknown, [ProcessTransport, P], unknown> {
  if (typeof protocolFactory !== "function") {
    throw new TypeError("Cannot spawn: protocolFactory must be a function");
  }
  const protocol = protocolFactory();
  const waiter = loop.createFuture<void>();
  const transport = new ProcessTransport(
    loop,
    protocol,
    { ...spec, argv },
    waiter,
  );
  try {
    yield* waiter;
  } catch (err) {
    transport.close();
    throw err;
  }
  return [transport, protocol];
}
