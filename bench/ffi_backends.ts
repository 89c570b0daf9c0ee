/**
 * The cost of one libc call through each runtime's FFI backend: `read` on an
 * empty non-blocking pipe (-> EAGAIN, errno read), `getpid` (a real
 * syscall), the raw symbol vs our `readOrAgain` wrapper, and one
 * `selectAsync()` round trip on a ready fd (the host-mode wait). The same file
 * runs on Deno, and bundled on Node (koffi) and Bun (bun:ffi):
 *
 * ```sh
 * npx deno task bench:ffi
 * ```
 *
 * Prints one JSON line per measurement (ns per call, best of 5 rounds).
 *
 * @module
 */

import { errno, libc } from "../poll/_libc.ts";
import { close, pipe, readOrAgain, write } from "../poll/fd.ts";
import { DefaultSelector } from "../poll/default.ts";
import { EVENT_READ } from "../poll/types.ts";
import { EAGAIN } from "../poll/_syscall.ts";
import { runtime } from "../poll/_runtime.ts";

const N = 200_000;
const ROUNDS = 5;

function bench(name: string, body: (n: number) => void): void {
  body(10_000); // warm up: JIT and the FFI call stubs
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    body(N);
    best = Math.min(best, (performance.now() - t0) * 1e6 / N);
  }
  console.log(JSON.stringify({ runtime, name, ns: Math.round(best) }));
}

const sym = libc();
const [r, w] = pipe({ nonblocking: true });
const buf = new Uint8Array(64);
const len = BigInt(buf.length);

bench("read->EAGAIN (raw symbol + errno)", (n) => {
  const read = sym.read;
  for (let i = 0; i < n; i++) {
    if (read(r, buf, len) !== -1 || errno() !== EAGAIN) {
      throw new Error("Cannot bench read: the pipe was not empty");
    }
  }
});

bench("read->EAGAIN (readOrAgain)", (n) => {
  for (let i = 0; i < n; i++) {
    if (readOrAgain(r, buf) !== -1) {
      throw new Error("Cannot bench read: the pipe was not empty");
    }
  }
});

bench("getpid", (n) => {
  const getpid = sym.getpid;
  let x = 0;
  for (let i = 0; i < n; i++) x ^= getpid();
  if (x === -1) throw new Error("unreachable");
});

// A host-mode wait: selectAsync() on a ready fd (Deno's blocking pool,
// koffi's worker threads, Bun's waiter Worker), fewer rounds.
{
  const sel = new DefaultSelector();
  const [ar, aw] = pipe({ nonblocking: true });
  sel.register(ar, EVENT_READ);
  write(aw, new Uint8Array([1]));
  const M = 2_000;
  for (let i = 0; i < 200; i++) await sel.selectAsync(1);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let i = 0; i < M; i++) {
      if ((await sel.selectAsync(1)).length !== 1) {
        throw new Error("Cannot bench selectAsync: the fd was not ready");
      }
    }
    best = Math.min(best, (performance.now() - t0) * 1e6 / M);
  }
  console.log(
    JSON.stringify({
      runtime,
      name: `selectAsync, ready fd (${sel.constructor.name})`,
      ns: Math.round(best),
    }),
  );
  sel.close();
  close(ar);
  close(aw);
}

close(r);
close(w);
