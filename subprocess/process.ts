/**
 * `Process`: asyncio's `asyncio.subprocess.Process` — a child with streams
 * for its pipes (`stdin` a `StreamWriter`, `stdout`/`stderr`
 * `StreamReader`s), `wait()`, `communicate()` and signals; and the
 * `SubprocessStreamProtocol` that feeds those streams.
 *
 * @module
 */

import type { LoopLike } from "../futures/_loop.ts";
import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import { gather } from "../futures/gather.ts";
import { BrokenPipeError, ConnectionResetError } from "../poll/errors.ts";
import { StreamReader } from "../net/stream_reader.ts";
import { StreamReaderProtocol } from "../net/stream_protocol.ts";
import { StreamWriter } from "../net/stream_writer.ts";
import type {
  SubprocessProtocol,
  SubprocessTransport,
  Transport,
} from "../net/types.ts";
import type { ProcessTransport } from "./transport.ts";
import * as subprocessKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _exited: typeof subprocessKeys._exited = subprocessKeys._exited;

/**
 * The protocol behind a `Process`: child output into `StreamReader`s, and
 * the flow control of its stdin for `StreamWriter.drain()`.
 * @internal
 */
export class SubprocessStreamProtocol implements SubprocessProtocol {
  readonly #limit: number | undefined;
  readonly #loop: LoopLike;
  // stdin's writer needs a stream protocol for drain() and waitClosed();
  // its reader never gets data, it only carries the pipe's error.
  readonly #stdinReader: StreamReader;
  readonly #stdinProtocol: StreamReaderProtocol;
  #transport: SubprocessTransport | null = null;
  #open = new Set<number>();
  #exited = false;
  stdin: StreamWriter | null = null;
  stdout: StreamReader | null = null;
  stderr: StreamReader | null = null;

  constructor(limit: number | undefined, loop: LoopLike) {
    this.#limit = limit;
    this.#loop = loop;
    this.#stdinReader = new StreamReader({ loop });
    this.#stdinProtocol = new StreamReaderProtocol(this.#stdinReader, null, {
      loop,
    });
    // Fail fast on a bad limit, before anything is spawned.
    if (limit !== undefined) new StreamReader({ limit, loop });
  }

  connectionMade(transport: SubprocessTransport): void {
    this.#transport = transport;
    for (const fd of [1, 2]) {
      const t = transport.getPipeTransport(fd);
      if (t === null) continue;
      const reader = new StreamReader({ limit: this.#limit, loop: this.#loop });
      reader.setTransport(t as Transport);
      if (fd === 1) this.stdout = reader;
      else this.stderr = reader;
      this.#open.add(fd);
    }
    const stdin = transport.getPipeTransport(0);
    if (stdin !== null) {
      // A write pipe has everything a StreamWriter calls.
      this.#stdinProtocol.connectionMade(stdin as Transport);
      this.stdin = new StreamWriter(
        stdin as Transport,
        this.#stdinProtocol,
        this.#stdinReader,
      );
      this.#open.add(0);
    }
  }

  pipeDataReceived(fd: number, data: Uint8Array): void {
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    reader?.feedData(data);
  }

  pipeConnectionLost(fd: number, exc: Error | null): void {
    if (fd === 0) {
      this.#stdinProtocol.connectionLost(exc);
    } else {
      const reader = fd === 1 ? this.stdout : this.stderr;
      if (reader !== null) {
        if (exc === null) reader.feedEof();
        else reader.setException(exc);
      }
    }
    this.#open.delete(fd);
    this.#maybeCloseTransport();
  }

  pauseWriting(): void {
    this.#stdinProtocol.pauseWriting();
  }

  resumeWriting(): void {
    this.#stdinProtocol.resumeWriting();
  }

  processExited(): void {
    this.#exited = true;
    this.#maybeCloseTransport();
  }

  #maybeCloseTransport(): void {
    if (this.#open.size === 0 && this.#exited) this.#transport?.close();
  }
}

/**
 * A child process started by `createSubprocessExec` or
 * `createSubprocessShell`.
 *
 * `wait()` resolves once the child has exited **and** its pipes are closed
 * (Python 3.12's order, so no output is lost). With `stdout: PIPE` and a
 * child that writes more than a pipe holds (64 KiB), `wait()` alone
 * deadlocks as in Python: read the output, or use `communicate()`.
 *
 * @example Running a command and reading its output
 * ```ts
 * import { createSubprocessExec, PIPE, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const [out, code] = await run(async () => {
 *   const proc = await createSubprocessExec("echo", ["hello"], { stdout: PIPE });
 *   const [stdout] = await proc.communicate();
 *   return [new TextDecoder().decode(stdout!), proc.returncode];
 * });
 * assert.equal(out, "hello\n");
 * assert.equal(code, 0);
 * ```
 */
export class Process {
  readonly #transport: ProcessTransport;
  readonly #protocol: SubprocessStreamProtocol;
  readonly #loop: LoopLike;

  /** @internal Made by `createSubprocessExec`/`createSubprocessShell`. */
  constructor(
    transport: ProcessTransport,
    protocol: SubprocessStreamProtocol,
    loop: LoopLike,
  ) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#loop = loop;
  }

  /** The child's stdin, if it is `PIPE`. */
  get stdin(): StreamWriter | null {
    return this.#protocol.stdin;
  }

  /** The child's stdout, if it is `PIPE`. */
  get stdout(): StreamReader | null {
    return this.#protocol.stdout;
  }

  /** The child's stderr, if it is `PIPE`. */
  get stderr(): StreamReader | null {
    return this.#protocol.stderr;
  }

  /** The child's process id. */
  get pid(): number {
    return this.#transport.getPid();
  }

  /**
   * null while it runs; then its exit status, or minus the signal that
   * killed it (`-9` after `kill()`).
   */
  get returncode(): number | null {
    return this.#transport.getReturncode();
  }

  /**
   * Wait for the child to exit (and its pipes to close); its returncode.
   * Cancelling the wait leaves the child running; wait again later.
   */
  wait(): Future<number> {
    return this.#transport[_exited]();
  }

  /**
   * Send `input` (if any) to stdin and close it, read stdout and stderr to
   * their end, and wait for the exit — all at once, so neither side fills
   * a pipe and blocks the other. A child that exits without reading its
   * input is not an error (the BrokenPipeError is ignored, as asyncio).
   *
   * @returns `[stdout, stderr]`, each null unless it is `PIPE`.
   * @throws {TypeError} for `input` that is not a Uint8Array.
   * @throws {RuntimeError} for `input` when stdin is not `PIPE`.
   */
  communicate(
    input?: Uint8Array | null,
  ): Future<[Uint8Array | null, Uint8Array | null]> {
    const loop = this.#loop;
    const stdin = this.stdin;
    if (input !== undefined && input !== null) {
      if (!(input instanceof Uint8Array)) {
        throw new TypeError(
          "Cannot communicate: input must be a Uint8Array or null",
        );
      }
    }
    const transport = this.#transport;
    const readAll = (fd: number, r: StreamReader | null) =>
      new Task(function* () {
        if (r === null) return null;
        const out = yield* r.read();
        transport.getPipeTransport(fd)?.close();
        return out;
      }, { loop });
    const feed = new Task(function* () {
      if (stdin === null) return;
      if (input !== undefined && input !== null) stdin.write(input);
      try {
        yield* stdin.drain();
      } catch (err) {
        // The child closed its stdin (or exited) without reading it all.
        if (
          !(err instanceof BrokenPipeError) &&
          !(err instanceof ConnectionResetError)
        ) throw err;
      }
      stdin.close();
    }, { loop });
    const readers = [readAll(1, this.stdout), readAll(2, this.stderr)];
    return new Task(function* () {
      const [, out, err] = yield* gather(feed, ...readers);
      yield* transport[_exited]();
      return [out, err] as [Uint8Array | null, Uint8Array | null];
    }, { loop });
  }

  /**
   * Send signal `sig` (a number or a name like `"SIGHUP"`).
   *
   * @throws {ProcessLookupError} once the child has exited.
   */
  sendSignal(sig: number | string): void {
    this.#transport.sendSignal(sig);
  }

  /**
   * SIGTERM.
   *
   * @throws {ProcessLookupError} once the child has exited.
   */
  terminate(): void {
    this.#transport.terminate();
  }

  /**
   * SIGKILL.
   *
   * @throws {ProcessLookupError} once the child has exited.
   */
  kill(): void {
    this.#transport.kill();
  }

  /** For the console: `<Process 1234>`. */
  toString(): string {
    return `<Process ${this.pid}>`;
  }
}
