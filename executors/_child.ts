/**
 * The program a `ProcessPoolExecutor` child runs: `deno run _child.ts
 * <requestFd> <replyFd>`. It reads one request frame at a time (blocking:
 * it has nothing else to do), runs it and writes the reply frame. EOF on
 * the request pipe means the pool is done with it: it exits.
 *
 * @module
 */

import { read, write } from "../poll/fd.ts";
import type { FromWorker, ToWorker } from "./_wire.ts";
import { unclonableResult } from "./_wire.ts";
import { encodeFrame, FrameReader } from "./_frames.ts";
import { serve } from "./_serve.ts";
import { exitProcess, processArgs } from "./_host.ts";

const [reqFd, repFd] = processArgs().map(Number);
const frames = new FrameReader();
const chunk = new Uint8Array(65536);
let initFailed = false;

function send(reply: FromWorker): void {
  let bytes: Uint8Array;
  try {
    bytes = encodeFrame(reply);
  } catch (err) {
    if (reply.t !== "ok") throw err;
    bytes = encodeFrame(unclonableResult(reply.id, err));
  }
  let at = 0;
  while (at < bytes.length) at += write(repFd, bytes.subarray(at));
}

for (;;) {
  const n = read(reqFd, chunk);
  if (n === 0) break;
  for (const msg of frames.push(chunk.subarray(0, n)) as ToWorker[]) {
    if (
      msg.t === "bell" || msg.t === "slot" || msg.t === "exit" || initFailed
    ) continue;
    const reply = await serve(msg);
    if (reply.t === "initFailed") initFailed = true;
    send(reply);
  }
}
exitProcess(0);
