/**
 * Bun's off-thread wait: `bun:ffi` has no calls off the JS thread, so a
 * Worker blocks in `poll()` on one fd (a selector's epoll or kqueue fd) and
 * posts when it is readable or timed out. The JS thread stays free for the
 * host meanwhile, as with Deno's nonblocking calls and koffi's `.async`.
 * Workers are reused; one per concurrent wait. A waiting Worker keeps the
 * process alive (as a pending Deno call does), an idle one does not.
 *
 * @module
 */

// The Worker's whole program: it needs only poll(2). struct pollfd is
// { int fd; short events; short revents; }: [fd, POLLIN] as two int32s
// (little-endian; POLLIN is 1 everywhere).
const WAITER = `
const { dlopen } = require("bun:ffi");
let poll = null;
const pfd = new Int32Array(2);
self.onmessage = (e) => {
  const { lib, fd, ms } = e.data;
  poll ??= dlopen(lib, { poll: { args: ["ptr", "u32", "i32"], returns: "i32" } }).symbols.poll;
  pfd[0] = fd;
  pfd[1] = 1;
  postMessage(poll(pfd, 1, ms));
};
`;

interface BunWorker {
  postMessage(data: unknown): void;
  onmessage: ((e: { data: number }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  ref(): void;
  unref(): void;
}

const idle: BunWorker[] = [];
let url: string | null = null;

function take(): BunWorker {
  const w = idle.pop();
  if (w !== undefined) return w;
  url ??= URL.createObjectURL(
    new Blob([WAITER], { type: "application/javascript" }),
  );
  const Ctor = (globalThis as unknown as {
    Worker: new (url: string) => BunWorker;
  }).Worker;
  return new Ctor(url);
}

/**
 * Resolve when `fd` is readable or after `ms` milliseconds (-1: never),
 * waiting on a Worker. Resolves to poll's result (-1 if it failed: the
 * caller polls again on its own thread, as after a pooled Deno wait).
 * @internal
 */
export function waitReadable(
  lib: string,
  fd: number,
  ms: number,
): Promise<number> {
  const w = take();
  w.ref();
  return new Promise<number>((resolve, reject) => {
    w.onmessage = (e) => {
      w.onmessage = w.onerror = null;
      w.unref();
      idle.push(w);
      resolve(e.data);
    };
    w.onerror = (e) => {
      w.onmessage = w.onerror = null;
      w.unref();
      reject(
        new Error("Cannot wait on Bun's waiter Worker: it failed", {
          cause: e,
        }),
      );
    };
    w.postMessage({ lib, fd, ms });
  });
}
