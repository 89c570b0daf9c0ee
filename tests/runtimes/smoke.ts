/**
 * A runtime-neutral smoke program (no `Deno.*`): the FFI backend, an
 * epoll selector on a pipe, and a small program on our event loop. Bundled
 * with esbuild and run under Node and Bun by `node_bun_test.ts`; it prints
 * one JSON line of what it saw, and exits non-zero on any failure.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  close,
  EpollSelector,
  EVENT_READ,
  pipe,
  read,
  write,
} from "../../poll/mod.ts";
import { errno, libc } from "../../poll/_libc.ts";
import { EAGAIN } from "../../poll/_syscall.ts";
import { runtime } from "../../poll/_runtime.ts";
import { CancelledError, EventLoop, sleep } from "../../mod.ts";

const seen: string[] = [];

// The backend: a failing read sets errno, read right after.
{
  const [r, w] = pipe({ nonblocking: true });
  assert.equal(libc().read(r, new Uint8Array(8), 8n), -1);
  assert.equal(errno(), EAGAIN);
  close(r);
  close(w);
  seen.push("errno");
}

// A selector: quiet, then readable after a write.
{
  const sel = new EpollSelector<string>();
  const [r, w] = pipe();
  sel.register(r, EVENT_READ, "pipe");
  assert.deepEqual(sel.select(0), []);
  write(w, new Uint8Array([42]));
  const [[key, events]] = sel.select(1);
  assert.equal(key.data, "pipe");
  assert.equal(events, EVENT_READ);
  const buf = new Uint8Array(4);
  assert.equal(read(r, buf), 1);
  assert.equal(buf[0], 42);
  // The same through selectAsync (koffi's pool on Node, polling on Bun).
  const later = sel.selectAsync(2);
  write(w, new Uint8Array([7]));
  const ready = await later;
  assert.equal(ready.length, 1);
  sel.close();
  close(r);
  close(w);
  seen.push("selector");
}

// The event loop: callSoon, callLater, a generator task, a cancelled task.
{
  const loop = new EventLoop();
  const order: string[] = [];
  loop.callSoon(() => order.push("soon"));
  loop.callLater(0.01, () => order.push("later"));
  const worker = function* () {
    yield* sleep(0.02);
    order.push("task");
    return 7;
  };
  const forever = function* () {
    yield* sleep(3600);
  };
  const victim = loop.createTask(forever());
  loop.callLater(0.005, () => victim.cancel());
  const result = await loop.runUntilComplete(loop.createTask(worker()));
  assert.equal(result, 7);
  assert.equal(victim.cancelled(), true);
  assert.throws(() => victim.result(), CancelledError);
  assert.deepEqual(order, ["soon", "later", "task"]);
  loop.close();
  seen.push("loop");
}

console.log(JSON.stringify({ runtime, seen }));
