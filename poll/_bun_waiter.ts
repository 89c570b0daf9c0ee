/**
 * Bun's calls off the JS thread: `bun:ffi` has none, so Workers make them.
 * `waitReadable` blocks a Worker in `poll()` on one fd (a selector's epoll
 * or kqueue fd) until it is readable or timed out; `callOnWorker` makes
 * one libc call there (the resolver's `getaddrinfo`, which may block for
 * seconds). The JS thread stays free for the host meanwhile, as with
 * Deno's nonblocking calls and koffi's `.async`. Workers are reused; one
 * per concurrent call. A busy Worker keeps the process alive (as a pending
 * Deno call does), an idle one does not.
 *
 * @module
 */

// The Worker's whole program. struct pollfd is { int fd; short events;
// short revents; }: [fd, POLLIN] as two int32s (little-endian; POLLIN is 1
// everywhere). A call's typed arrays arrive as copies: they go back with
// the result, for the caller to copy what the call wrote.
const WORKER = `
const { dlopen } = require("bun:ffi");
let poll = null;
const fns = new Map();
const pfd = new Int32Array(2);
self.onmessage = (e) => {
  const m = e.data;
  if (m.name === undefined) {
    poll ??= dlopen(m.lib, { poll: { args: ["ptr", "u32", "i32"], returns: "i32" } }).symbols.poll;
    pfd[0] = m.fd;
    pfd[1] = 1;
    postMessage(poll(pfd, 1, m.ms));
    return;
  }
  let fn = fns.get(m.name);
  if (fn === undefined) {
    fn = dlopen(m.lib, { [m.name]: m.def }).symbols[m.name];
    fns.set(m.name, fn);
  }
  postMessage({ result: fn(...m.args), args: m.args });
};
`;

interface BunWorker {
  postMessage(data: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
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
    new Blob([WORKER], { type: "application/javascript" }),
  );
  const Ctor = (globalThis as unknown as {
    Worker: new (url: string) => BunWorker;
  }).Worker;
  return new Ctor(url);
}

/** Post `message` to an idle Worker; resolve with its one answer. */
function ask<T>(message: unknown, what: string): Promise<T> {
  const w = take();
  w.ref();
  return new Promise<T>((resolve, reject) => {
    w.onmessage = (e) => {
      w.onmessage = w.onerror = null;
      w.unref();
      idle.push(w);
      resolve(e.data as T);
    };
    w.onerror = (e) => {
      // A Worker that failed is not reused.
      w.onmessage = w.onerror = null;
      w.unref();
      reject(
        new Error(`Cannot ${what} on a Bun Worker: it failed`, {
          cause: e,
        }),
      );
    };
    w.postMessage(message);
  });
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
  return ask<number>({ lib, fd, ms }, "wait");
}

/** A `bun:ffi` signature: argument and result types. @internal */
export interface BunSignature {
  /** Argument types (`bun:ffi` names). */
  readonly args: readonly string[];
  /** Result type. */
  readonly returns: string;
}

/**
 * Call `name` of library `lib` with `args` on a Worker. Arguments are
 * numbers, bigints, `null` or typed arrays (for `ptr` parameters); what
 * the call wrote into a typed array is copied back into it before the
 * promise resolves. Pointers into our own memory cannot cross: pass
 * buffers, not addresses.
 * @internal
 */
export async function callOnWorker(
  lib: string,
  name: string,
  def: BunSignature,
  args: readonly unknown[],
): Promise<unknown> {
  const answer = await ask<{ result: unknown; args: unknown[] }>(
    { lib, name, def, args },
    `call ${name}()`,
  );
  for (let i = 0; i < args.length; i++) {
    const mine = args[i];
    if (ArrayBuffer.isView(mine)) {
      const theirs = answer.args[i] as ArrayBufferView;
      new Uint8Array(mine.buffer, mine.byteOffset, mine.byteLength).set(
        new Uint8Array(theirs.buffer, theirs.byteOffset, theirs.byteLength),
      );
    }
  }
  return answer.result;
}
