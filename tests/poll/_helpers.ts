/**
 * Shared helpers for poll/ tests: an open-fd census to prove nothing leaks,
 * a `test()` that applies it to every test, and a signal sender to make a
 * blocking wait fail with EINTR.
 *
 * @module
 */

import process from "node:process";
import { Worker } from "node:worker_threads";
import { libc } from "../../poll/_libc.ts";
import { scaffoldLibc } from "./_scaffold_libc.ts";

/** Whether this OS has epoll / kqueue. */
export const LINUX: boolean = Deno.build.os === "linux";
export const KQUEUE: boolean = Deno.build.os === "darwin" ||
  Deno.build.os === "freebsd";

const F_GETFD = 1;
// Deno 2.9 wants --allow-all to list /proc/self/fd, so probe each fd number
// with fcntl(F_GETFD) instead: same answer, no extra permission.
const PROBE_LIMIT = 8192;

/** The open fds of this process below 8192, ascending. */
export function openFds(): number[] {
  const { fcntl } = libc();
  const open: number[] = [];
  for (let fd = 0; fd < PROBE_LIMIT; fd++) {
    if (fcntl(fd, F_GETFD, 0) !== -1) open.push(fd);
  }
  return open;
}

/**
 * Run `fn`; throw if it left new fds open. Fds closed meanwhile are not
 * counted: Deno closes a terminated Worker's runtime fds on its own
 * schedule, possibly during a later test (and a double close of ours would
 * already fail with EBADF). A new fd still open is given up to 1 s to
 * close: Bun closes a finished child's stdio sockets a few turns after
 * reporting its exit and close. A leak of ours stays open past that.
 */
export async function noLeak(fn: () => void | Promise<void>): Promise<void> {
  const before = new Set(openFds());
  await fn();
  const leakedNow = () => openFds().filter((fd) => !before.has(fd));
  let leaked = leakedNow();
  const deadline = performance.now() + 1000;
  while (leaked.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    leaked = leakedNow();
  }
  if (leaked.length > 0) {
    throw new Error(`Open fds leaked: ${leaked.join(", ")}`);
  }
}

/** Options of {@linkcode test}. */
export interface TestOptions {
  /** Skip the test (on an OS without the mechanism). */
  ignore?: boolean;
  /**
   * Count open fds around it (default true). Off only for tests that start
   * a Worker or a signal listener: Deno opens runtime fds for those and
   * closes some of them later, on its own schedule; such a test checks its
   * own fds instead.
   */
  census?: boolean;
}

/** `Deno.test` with the fd census around it. Sanitizers stay on. */
export function test(
  name: string,
  fn: () => void | Promise<void>,
  options: TestOptions = {},
): void {
  Deno.test({
    name,
    ignore: options.ignore ?? false,
    fn: options.census === false ? fn : () => noLeak(fn),
  });
}

/** A pipe's two ends, closed by `using`. */
export function closeAll(...fds: number[]): Disposable {
  return {
    [Symbol.dispose]() {
      const { close } = libc();
      for (const fd of fds) close(fd);
    },
  };
}

/**
 * The URL of test scaffolding module `name` (no extension) beside `base`:
 * its .ts file, or on Node and Bun, which run the transpiled tree, its .js.
 */
export function scaffoldUrl(name: string, base: string): URL {
  return new URL(`${name}.${base.endsWith(".ts") ? "ts" : "js"}`, base);
}

/**
 * Have a Worker interrupt this thread with SIGUSR1 while it blocks,
 * then optionally write a byte to `writeFd`. Returns a promise that settles
 * once the signal was handled and the Worker is gone. Linux only (tgkill).
 *
 * `start()` must be called right before the blocking call.
 */
export async function interruptSoon(
  writeFd?: number,
): Promise<{ start(): void; done: Promise<void> }> {
  let handled!: () => void;
  const signalled = new Promise<void>((resolve) => (handled = resolve));
  const onSignal = () => handled();
  // node:process and node:worker_threads: the same on Deno, Node and Bun.
  process.on("SIGUSR1", onSignal);
  const worker = new Worker(scaffoldUrl("./_signal_worker", import.meta.url));
  const finished = new Promise<void>((resolve, reject) => {
    worker.on("message", (m) => m === "done" && resolve());
    worker.on("error", (e) => {
      reject(new Error(`Signal worker failed: ${e.message}`));
    });
  });
  await new Promise<void>((resolve) => {
    const ready = (m: unknown) => {
      if (m === "ready") {
        worker.off("message", ready);
        resolve();
      }
    };
    worker.on("message", ready);
  });
  // The thread to interrupt is this one, which `deno test` need not run on
  // the process's main thread: ask the kernel for its id.
  const tid = gettid();
  return {
    start: () => worker.postMessage({ pid: process.pid, tid, writeFd }),
    done: (async () => {
      try {
        await Promise.all([signalled, finished]);
      } finally {
        await worker.terminate();
        process.off("SIGUSR1", onSignal);
      }
    })(),
  };
}

// Test scaffolding, not in the library's symbol table: the calling thread's
// kernel id (Linux, glibc 2.30+).
function gettid(): number {
  return scaffoldLibc({ gettid: { parameters: [], result: "i32" } }).gettid();
}
