/**
 * Test scaffolding (Linux): on request, sends SIGUSR1 to one thread (tgkill,
 * so the signal lands on the thread that blocks in the wait, not on any
 * thread of the process), then optionally writes one
 * byte to a pipe. Its own tiny dlopen: these calls have no place in the
 * library's symbol table.
 *
 * @module
 */

/// <reference lib="deno.worker" />

const SIGUSR1 = 10; // Linux <asm/signal.h>
const lib = Deno.dlopen("libc.so.6", {
  tgkill: { parameters: ["i32", "i32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Request = { pid: number; tid: number; writeFd?: number };

self.onmessage = async (e: MessageEvent<Request>) => {
  const { pid, tid, writeFd } = e.data;
  // Long enough for the main thread to be inside the wait.
  await sleep(30);
  lib.symbols.tgkill(pid, tid, SIGUSR1);
  if (writeFd !== undefined) {
    await sleep(30);
    lib.symbols.write(writeFd, new Uint8Array([1]), 1n);
  }
  lib.close();
  self.postMessage("done");
};
self.postMessage("ready");
