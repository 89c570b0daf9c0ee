/**
 * `ProcessTransport`: asyncio's subprocess transport (`base_subprocess.py`
 * behaviour). It spawns the child with `poll/spawn.ts`, connects a pipe
 * transport to each piped fd, watches the exit with the child watcher, and
 * drives a `SubprocessProtocol`:
 *
 * - `connectionMade(transport)` once every pipe is connected;
 * - `pipeDataReceived(fd, data)`, `pipeConnectionLost(fd, exc)` per pipe;
 * - `processExited()` once the child is reaped;
 * - `connectionLost(null)` once it has exited *and* every pipe is closed;
 *   `wait()` resolves then (Python 3.12's order, so no output is lost).
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { close as closeFd, pipe } from "../poll/fd.ts";
import { errnoOf, ProcessLookupError } from "../poll/errors.ts";
import { killProcess, spawn, type SpawnFd } from "../poll/spawn.ts";
import {
  ReadPipeTransport,
  WritePipeTransport,
} from "../net/pipe_transport.ts";
import type {
  BaseProtocol,
  Protocol,
  ReadTransport,
  SubprocessProtocol,
  SubprocessTransport,
  WriteTransport,
} from "../net/types.ts";
import type { SubprocessLoop } from "./_loop.ts";
import { watchChild, type WatchMechanism } from "./child_watcher.ts";
import { DEVNULL, PIPE, type Stdio, STDOUT } from "./constants.ts";
import * as subprocessKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _exited: typeof subprocessKeys._exited = subprocessKeys._exited;
const _pauseWriting: typeof subprocessKeys._pauseWriting =
  subprocessKeys._pauseWriting;
const _pipeData: typeof subprocessKeys._pipeData = subprocessKeys._pipeData;
const _pipeLost: typeof subprocessKeys._pipeLost = subprocessKeys._pipeLost;
const _resumeWriting: typeof subprocessKeys._resumeWriting =
  subprocessKeys._resumeWriting;

/**
 * What to run and how: the spawn options with stdio as `PIPE`/`STDOUT`/
 * `DEVNULL`/fd/inherit.
 * @internal
 */
export interface ProcessSpec {
  argv: string[];
  stdin?: Stdio;
  stdout?: Stdio;
  stderr?: Stdio;
  cwd?: string;
  env?: Record<string, string>;
  passFds?: readonly number[];
  closeFds?: boolean;
  startNewSession?: boolean;
  processGroup?: number;
  /** How to observe the exit (tests); default the best for this OS. */
  watcher?: WatchMechanism;
}

/**
 * A running child as a transport.
 * @internal
 */
export class ProcessTransport implements SubprocessTransport {
  readonly #loop: SubprocessLoop;
  #protocol: SubprocessProtocol;
  readonly #pid: number;
  #returncode: number | null = null;
  readonly #pipes = new Map<number, PipeEnd>();
  #connected = false;
  #closed = false;
  #finished = false;
  #lostRan = false;
  #exitWaiters: Future<number>[] = [];
  #pending: Array<() => void> | null = [];

  /**
   * Spawn `spec.argv` now (errors such as FileNotFoundError are thrown
   * here, before any child exists and with no fd left open), then connect
   * its pipes; `waiter` resolves once `connectionMade` ran.
   */
  constructor(
    loop: SubprocessLoop,
    protocol: SubprocessProtocol,
    spec: ProcessSpec,
    waiter: Future<void>,
  ) {
    this.#loop = loop;
    this.#protocol = protocol;
    const stdio = [spec.stdin, spec.stdout, spec.stderr];
    checkStdio(stdio);
    // [parent end, child end] of each piped fd.
    const ends: Array<[number, number] | null> = [null, null, null];
    const childFds: SpawnFd[] = [-1, -1, -1];
    try {
      for (let i = 0; i < 3; i++) {
        const s = stdio[i];
        if (s === PIPE) {
          const [r, w] = pipe();
          ends[i] = i === 0 ? [w, r] : [r, w];
          childFds[i] = ends[i]![1];
        } else if (s === DEVNULL) childFds[i] = "devnull";
        else if (s === STDOUT) childFds[i] = 1;
        else if (typeof s === "number") childFds[i] = s;
      }
      this.#pid = spawn(spec.argv, {
        cwd: spec.cwd,
        env: spec.env,
        fds: childFds as [SpawnFd, SpawnFd, SpawnFd],
        passFds: spec.passFds,
        closeFds: spec.closeFds,
        newSession: spec.startNewSession,
        processGroup: spec.processGroup,
      });
    } catch (err) {
      for (const e of ends) if (e !== null) closeFd(e[0]), closeFd(e[1]);
      throw err;
    }
    for (const e of ends) if (e !== null) closeFd(e[1]);
    try {
      watchChild(
        loop,
        this.#pid,
        (code) => this.#processExited(code),
        spec.watcher,
      );
    } catch (err) {
      // Cannot watch it (EMFILE): do not leave a child nobody reaps.
      for (const e of ends) if (e !== null) closeFd(e[0]);
      killProcess(this.#pid, "SIGKILL");
      throw err;
    }
    for (let i = 0; i < 3; i++) {
      const e = ends[i];
      if (e !== null) this.#pipes.set(i, new PipeEnd(this, i, e[0]));
    }
    this.#connectPipes(waiter);
  }

  #connectPipes(waiter: Future<void>): void {
    const loop = this.#loop;
    let left = this.#pipes.size + 1;
    const oneDone = () => {
      if (--left !== 0) return;
      this.#connected = true;
      loop.callSoon(() => {
        try {
          this.#protocol.connectionMade?.(this);
        } catch (err) {
          loop.callExceptionHandler({
            message: "protocol.connectionMade() failed",
            exception: err,
            transport: this,
          });
        }
        const pending = this.#pending ?? [];
        this.#pending = null;
        for (const call of pending) call();
        if (!waiter.done()) waiter.setResult(undefined);
        this.#tryFinish();
      });
    };
    for (const p of this.#pipes.values()) {
      const w = loop.createFuture<void>();
      p.connect(loop, w);
      w.addDoneCallback(oneDone);
    }
    oneDone();
  }

  /** Run `call` now, or after `connectionMade` if that has not run yet. */
  _call(call: () => void): void {
    if (this.#pending !== null) this.#pending.push(call);
    else this.#loop.callSoon(call);
  }

  /** @internal */
  [_pipeData](fd: number, data: Uint8Array): void {
    this._call(() => this.#protocol.pipeDataReceived?.(fd, data));
  }

  /** @internal */
  [_pipeLost](fd: number, exc: Error | null): void {
    this._call(() => {
      this.#protocol.pipeConnectionLost?.(fd, exc);
      this.#tryFinish();
    });
  }

  /** @internal Flow control of the stdin pipe, forwarded to the protocol. */
  [_pauseWriting](): void {
    this.#protocol.pauseWriting?.();
  }

  /** @internal */
  [_resumeWriting](): void {
    this.#protocol.resumeWriting?.();
  }

  #processExited(code: number): void {
    this.#returncode = code;
    this._call(() => {
      this.#protocol.processExited?.();
      this.#tryFinish();
    });
  }

  #tryFinish(): void {
    if (this.#finished || this.#returncode === null || !this.#connected) {
      return;
    }
    for (const p of this.#pipes.values()) if (!p.disconnected) return;
    this.#finished = true;
    this.#loop.callSoon(() => {
      try {
        this.#protocol.connectionLost?.(null);
      } catch (err) {
        this.#loop.callExceptionHandler({
          message: "protocol.connectionLost() failed",
          exception: err,
          transport: this,
        });
      } finally {
        this.#lostRan = true;
        const code = this.#returncode!;
        for (const w of this.#exitWaiters) if (!w.done()) w.setResult(code);
        this.#exitWaiters = [];
      }
    });
  }

  /**
   * A Future of the returncode, once the child exited and its pipes are
   * closed. Cancelling it leaves the child alone.
   * @internal
   */
  [_exited](): Future<number> {
    const w = this.#loop.createFuture<number>();
    if (this.#lostRan) w.setResult(this.#returncode!);
    else this.#exitWaiters.push(w);
    return w;
  }

  /** The child's pid. */
  getPid(): number {
    return this.#pid;
  }

  /** null while running, the exit status, or minus the killing signal. */
  getReturncode(): number | null {
    return this.#returncode;
  }

  /** The transport of pipe `fd` (0, 1, 2), or null if it is not a pipe. */
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null {
    return this.#pipes.get(fd)?.transport ?? null;
  }

  /**
   * Send `sig` to the child.
   *
   * @throws {ProcessLookupError} once it has exited (its pid may already
   *   belong to another process, so it is never signalled then).
   */
  sendSignal(sig: number | string): void {
    if (this.#returncode !== null) {
      throw new ProcessLookupError(
        errnoOf("ESRCH"),
        `Cannot send a signal: process ${this.#pid} has exited (returncode ${this.#returncode})`,
      );
    }
    killProcess(this.#pid, sig);
  }

  /** SIGTERM. */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /** SIGKILL. */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /** Extra info: "subprocess" is the pid. */
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name === "subprocess" ? this.#pid : defaultValue;
  }

  /** Whether `close()` was called. */
  isClosing(): boolean {
    return this.#closed;
  }

  /**
   * Close the pipes; a child still running is killed (as asyncio), and
   * still reaped by the watcher.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pipes.values()) p.transport?.close();
    if (this.#returncode === null) {
      try {
        killProcess(this.#pid, "SIGKILL");
      } catch {
        // Exited meanwhile; the watcher reaps it.
      }
    }
  }

  /** Hand the transport to another protocol. */
  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol as SubprocessProtocol;
  }

  /** The protocol driven. */
  getProtocol(): SubprocessProtocol {
    return this.#protocol;
  }

  /** For the console. */
  toString(): string {
    const state = this.#returncode === null
      ? "running"
      : `returncode=${this.#returncode}`;
    return `ProcessTransport(pid=${this.#pid}, ${state})`;
  }
}

/** One piped fd of the child: its transport and a protocol forwarding to ours. */
class PipeEnd implements Protocol {
  readonly #proc: ProcessTransport;
  readonly #fd: number;
  readonly #parentFd: number;
  transport: WritePipeTransport | ReadPipeTransport | null = null;
  disconnected = false;

  constructor(proc: ProcessTransport, fd: number, parentFd: number) {
    this.#proc = proc;
    this.#fd = fd;
    this.#parentFd = parentFd;
  }

  connect(loop: SubprocessLoop, waiter: Future<void>): void {
    this.transport = this.#fd === 0
      ? new WritePipeTransport(loop, this.#parentFd, this, { waiter })
      : new ReadPipeTransport(loop, this.#parentFd, this, { waiter });
  }

  dataReceived(data: Uint8Array): void {
    this.#proc[_pipeData](this.#fd, data);
  }

  connectionLost(exc: Error | null): void {
    this.disconnected = true;
    this.#proc[_pipeLost](this.#fd, exc);
  }

  pauseWriting(): void {
    this.#proc[_pauseWriting]();
  }

  resumeWriting(): void {
    this.#proc[_resumeWriting]();
  }
}

function checkStdio(stdio: Stdio[]): void {
  const names = ["stdin", "stdout", "stderr"];
  for (let i = 0; i < 3; i++) {
    const s = stdio[i];
    if (s === null || s === undefined) continue;
    if (!Number.isInteger(s) || s < DEVNULL) {
      throw new TypeError(
        `Cannot spawn: ${names[i]} must be PIPE, DEVNULL, an fd or null, got ${
          String(s)
        }`,
      );
    }
    if (s === STDOUT && i !== 2) {
      throw new TypeError(
        `Cannot spawn: STDOUT is only valid for stderr, not ${names[i]}`,
      );
    }
  }
}
