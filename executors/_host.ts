/**
 * What executors need from the runtime, in one place (Deno, Node, Bun):
 * starting a pool thread and talking to it from either side, the command
 * that starts a pool process, that process's arguments and exit, the CPU
 * count, and opening a native symbol. Nothing else in executors/ touches
 * `Deno.*`, `process` or `node:worker_threads`.
 *
 * Threads are Web Workers on Deno and Bun, `node:worker_threads` on Node.
 * The entry scripts sit next to this file: `_worker.js` for a thread, and
 * for a process `_child.ts` from source (Deno and Bun run it as it is) or
 * `_child.js` where this file is JavaScript (the npm build, or a bundle
 * with its entries emitted beside it: `_worker.js` built from
 * `_worker_bundle.ts`, `_child.js` from `_child.ts`), since Node runs no
 * TypeScript.
 *
 * @module
 */

import { runtime } from "../poll/_runtime.ts";
import type { Movable } from "./transfer.ts";
import { nodeRequire } from "../poll/_node_require.ts";

/** The entry script of a pool thread. @internal */
export const WORKER_URL: URL = new URL("./_worker.js", import.meta.url);

/** The entry script of a pool process. @internal */
export const CHILD_URL: URL = import.meta.url.endsWith(".ts")
  ? new URL("./_child.ts", import.meta.url)
  : new URL("./_child.js", import.meta.url);

interface NodeProcess {
  execPath: string;
  argv: string[];
  exit(code: number): never;
}

const proc = (globalThis as unknown as { process?: NodeProcess }).process;

/** What a pool thread reports to its pool. @internal */
export interface ThreadEvents {
  message(data: unknown): void;
  /** The thread died: an error escaped it, or it exited. */
  error(err: unknown): void;
  /** A message could not be deserialized. */
  messageError(): void;
}

/** The pool's handle on one thread. @internal */
export interface PoolThread {
  /** postMessage, moving `transfer`; throws if it cannot be cloned. */
  post(msg: unknown, transfer: Movable[]): void;
  terminate(): void;
}

interface NodeWorker {
  on(event: string, cb: (arg: unknown) => void): void;
  postMessage(msg: unknown, transfer?: Movable[]): void;
  terminate(): unknown;
  close(): void;
}

/** Start the thread `url` named `name`. @internal */
export function startThread(
  url: URL,
  name: string,
  events: ThreadEvents,
): PoolThread {
  if (runtime === "node") {
    const { Worker } = nodeRequire("node:worker_threads") as {
      Worker: new (url: URL, o: { name: string }) => NodeWorker;
    };
    const w = new Worker(url, { name });
    let ended = false;
    w.on("message", (data) => events.message(data));
    w.on("messageerror", () => events.messageError());
    w.on("error", (err) => {
      ended = true;
      events.error(err);
    });
    w.on("exit", (code) => {
      if (!ended) {
        events.error(new Error(`the thread exited with code ${code}`));
      }
    });
    return {
      post: (msg, transfer) => w.postMessage(msg, transfer),
      terminate: () => {
        if (ended) return;
        ended = true;
        // Not terminate() at once: a thread stopped inside a koffi call
        // (ringing the doorbell right after its reply) aborts the whole
        // process (napi_throw on a terminating env). Asked to exit, the
        // thread ends itself between messages; terminate() is the fallback
        // for one stuck in its work.
        w.postMessage({ t: "exit" }, []);
        const t = setTimeout(() => w.terminate(), 1000);
        (t as { unref?: () => void }).unref?.();
        w.on("exit", () => clearTimeout(t));
      },
    };
  }
  const w = new Worker(url, { type: "module", name });
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    events.error(e.error ?? new Error(e.message));
  };
  w.onmessageerror = () => events.messageError();
  w.onmessage = (e: MessageEvent) => events.message(e.data);
  return {
    post: (msg, transfer) => w.postMessage(msg, { transfer }),
    terminate: () => w.terminate(),
  };
}

/** A pool thread's side of its channel. @internal */
export interface ThreadPort {
  /** Receive every message with `cb` from now on. */
  listen(cb: (data: unknown) => void): void;
  post(msg: unknown, transfer: Movable[]): void;
  /** End this thread once its event loop is idle (asked by the pool). */
  close(): void;
}

/** The port of the pool thread this code runs in. @internal */
export function threadPort(): ThreadPort {
  if (runtime === "node") {
    const { parentPort } = nodeRequire("node:worker_threads") as {
      parentPort: NodeWorker;
    };
    return {
      listen: (cb) => parentPort.on("message", cb),
      post: (msg, transfer) => parentPort.postMessage(msg, transfer),
      close: () => parentPort.close(),
    };
  }
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent) => void) | null;
    postMessage(msg: unknown, o: { transfer: Movable[] }): void;
    close(): void;
  };
  return {
    listen: (cb) => {
      scope.onmessage = (e) => cb(e.data);
    },
    post: (msg, transfer) => scope.postMessage(msg, { transfer }),
    close: () => scope.close(),
  };
}

/**
 * The command that runs a pool process's `script` with `args`: `deno run
 * <runtimeArgs> script` on Deno, `<node|bun> <runtimeArgs> script` else.
 * @internal
 */
export function childCommand(
  script: URL,
  runtimeArgs: string[],
  args: string[],
): string[] {
  const path = decodeURIComponent(script.pathname);
  return runtime === "deno"
    ? [Deno.execPath(), "run", ...runtimeArgs, path, ...args]
    : [proc!.execPath, ...runtimeArgs, path, ...args];
}

/** The default runtime arguments of a pool process. @internal */
export function defaultChildArgs(): string[] {
  // A program that may use FFI (which this module needs) can do anything
  // already: its children get no more than it has. Node and Bun have no
  // permissions to pass.
  return runtime === "deno" ? ["--allow-all"] : [];
}

/** This pool process's arguments (after the script). @internal */
export function processArgs(): string[] {
  return runtime === "deno" ? Deno.args : proc!.argv.slice(2);
}

/** End this process. @internal */
export function exitProcess(code: number): never {
  return runtime === "deno" ? Deno.exit(code) : proc!.exit(code);
}

/** The number of CPUs the runtime reports (1 if it does not). @internal */
export function cpuCount(): number {
  const n = globalThis.navigator?.hardwareConcurrency;
  if (n !== undefined) return n;
  if (runtime === "deno") return 1;
  return (nodeRequire("node:os") as { availableParallelism(): number })
    .availableParallelism();
}

/**
 * The function `name` of the shared library `path`, with the signature
 * given in Deno's FFI type names (numbers only, as `nativeWork` takes):
 * `Deno.dlopen`, `bun:ffi` (the same names) or koffi (C names).
 * @internal
 */
export function openNative(
  path: string,
  name: string,
  parameters: readonly string[],
  result: string,
): (...args: unknown[]) => unknown {
  if (runtime === "deno") {
    const lib = Deno.dlopen(path, {
      [name]: { parameters, result },
    } as Deno.ForeignLibraryInterface);
    return lib.symbols[name] as (...args: unknown[]) => unknown;
  }
  if (runtime === "bun") {
    const { dlopen } = nodeRequire("bun:ffi") as {
      dlopen(
        path: string,
        defs: Record<string, { args: readonly string[]; returns: string }>,
      ): { symbols: Record<string, (...args: unknown[]) => unknown> };
    };
    return dlopen(path, { [name]: { args: parameters, returns: result } })
      .symbols[name];
  }
  const koffi = nodeRequire("koffi") as {
    load(path: string): {
      func(name: string, result: string, params: string[]): (
        ...args: unknown[]
      ) => unknown;
    };
  };
  return koffi.load(path).func(
    name,
    cName(result),
    parameters.map(cName),
  );
}

/** koffi's name of a numeric FFI type. */
function cName(t: string): string {
  switch (t) {
    case "void":
    case "float":
    case "double":
      return t;
    case "f32":
      return "float";
    case "f64":
      return "double";
    case "isize":
      return "intptr_t";
    case "usize":
      return "size_t";
    default:
      // i8..u64 -> int8_t..uint64_t
      return `${t[0] === "u" ? "uint" : "int"}${t.slice(1)}_t`;
  }
}
