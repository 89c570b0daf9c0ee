/**
 * Test scaffolding (Linux): on request, sends SIGUSR1 to one thread (tgkill,
 * so the signal lands on the thread that blocks in the wait, not on any
 * thread of the process), then optionally writes one byte to a pipe. A
 * `node:worker_threads` worker, so it runs on Deno, Node and Bun; tgkill
 * has no place in the library's symbol table.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { scaffoldLibc } from "./_scaffold_libc.ts";

const SIGUSR1 = 10; // Linux <asm/signal.h>
const lib = scaffoldLibc({
  tgkill: { parameters: ["i32", "i32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Request = { pid: number; tid: number; writeFd?: number };

parentPort!.on("message", async ({ pid, tid, writeFd }: Request) => {
  // Long enough for the main thread to be inside the wait.
  await sleep(30);
  lib.tgkill(pid, tid, SIGUSR1);
  if (writeFd !== undefined) {
    await sleep(30);
    lib.write(writeFd, new Uint8Array([1]), 1n);
  }
  parentPort!.postMessage("done");
});
parentPort!.postMessage("ready");
