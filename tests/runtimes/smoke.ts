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
  defaultSelectorName,
  EpollSelector,
  EVENT_READ,
  pipe,
  PollSelector,
  read,
  socketPair,
  write,
} from "../../poll/mod.ts";
import {
  _openLibc,
  errno,
  fcntl,
  libc,
  libraryName,
} from "../../poll/_libc.ts";
import { callOnWorker } from "../../poll/_bun_waiter.ts";
import { openKoffi } from "../../poll/_ffi_koffi.ts";
import { openBun } from "../../poll/_ffi_bun.ts";
import { EAGAIN } from "../../poll/_syscall.ts";
import { recvOrAgain, sendmsgOrAgain } from "../../poll/socket.ts";
import { os, runtime } from "../../poll/_runtime.ts";
import {
  addressOf,
  cStringAt,
  pointerAt,
  pointerFrom,
  viewAt,
} from "../../poll/_pointer.ts";
import { CancelledError, EventLoop, sleep } from "../../mod.ts";
import { assertNoFdLeaked, openFds, startBunWaiter } from "./_fd_census.ts";

const seen: string[] = [];
// The fd census (Linux): every fd opened below is closed again. On Bun the
// selectors' waiter Worker (kept for reuse) holds fds of Bun's own: start
// it before counting.
await startBunWaiter();
const fdsBefore = openFds();

// The backend: a failing read sets errno, read right after.
{
  const [r, w] = pipe({ nonblocking: true });
  assert.equal(libc().read(r, new Uint8Array(8), 8n), -1);
  assert.equal(errno(), EAGAIN);
  // Two bindings of one C name (fcntl, fcntl_stacked) each keep their own
  // signature. F_GETFL has O_NONBLOCK set.
  assert.notEqual(fcntl(r, 3, 0) & (os === "linux" ? 0o4000 : 4), 0);
  assert.equal(typeof libc().fcntl_stacked, "function");
  close(r);
  close(w);
  // The backend's clear errors.
  assert.throws(() => _openLibc(["libnope.so.9"]), {
    message: "Cannot load libc: none of libnope.so.9 could be opened",
  });
  assert.throws(() => _openLibc([], "plan9"), /plan9 is not supported/);
  // A table the library cannot satisfy names the problem, per backend.
  const missing = { nope_not_in_libc: { parameters: [], result: "i32" } };
  const libName = libraryName();
  if (runtime === "node") {
    assert.throws(() => openKoffi([libName], missing, os), {
      message: `Cannot load libc: ${libName} has no nope_not_in_libc`,
    });
    assert.throws(
      () => openKoffi([libName], { x: { parameters: ["f128"] } }, os),
      { name: "TypeError", message: /no mapping for type "f128"/ },
    );
  } else if (runtime === "bun") {
    assert.throws(() => openBun([libName], missing, os), {
      message: `Cannot load libc: ${libName} does not bind as our table says`,
    });
  }
  seen.push("errno");
}

// Foreign memory: a buffer seen again through its address, a C string.
{
  const buf = new Uint8Array([
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
  ]);
  const p = pointerFrom(addressOf(buf));
  assert.deepEqual(new Uint8Array(viewAt(p, 2, 3)), new Uint8Array([4, 5]));
  const cells = new BigUint64Array([addressOf(buf), 0n]);
  const back = pointerAt(pointerFrom(addressOf(cells)));
  assert.equal(new Uint8Array(viewAt(back, 1))[0], 1);
  assert.equal(pointerAt(pointerFrom(addressOf(cells)), 8), null);
  // EAI_NONAME's message ("Name or service not known" on glibc).
  const msg = cStringAt(libc().gai_strerror(-2));
  assert.ok(msg.length > 0);
  seen.push("pointer");
}

// A gathering write (sendmsg over iovecs of buffer addresses) arrives
// whole and in order.
{
  const [a, b] = socketPair();
  const parts = [
    new Uint8Array([1, 2]),
    new Uint8Array(0),
    new Uint8Array(100).fill(3),
  ];
  assert.equal(sendmsgOrAgain(a, parts), 102);
  const got = new Uint8Array(256);
  assert.equal(recvOrAgain(b, got, 256n), 102);
  assert.deepEqual(got.subarray(0, 3), new Uint8Array([1, 2, 3]));
  assert.equal(got[101], 3);
  close(a);
  close(b);
  seen.push("sendmsg");
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
  // The host's own timer fires meanwhile: the wait leaves the JS thread
  // free (koffi's pool on Node, the waiter Worker on Bun).
  const later = sel.selectAsync(2);
  setTimeout(() => write(w, new Uint8Array([7])), 10);
  const ready = await later;
  assert.equal(ready.length, 1);
  assert.equal(read(r, buf), 1);
  // close() during a selectAsync(): it resolves to [] well before 5 s.
  const t0 = performance.now();
  const pending = sel.selectAsync(5);
  setTimeout(() => sel.close(), 20);
  assert.deepEqual(await pending, []);
  // The wait itself would have ended at 5 s, also with [].
  assert.ok(performance.now() - t0 < 4000, "close() did not end the wait");
  close(r);
  close(w);
  // A selector without an fd of its own (on Bun: polls between turns).
  const psel = new PollSelector();
  const [pr, pw] = pipe();
  psel.register(pr, EVENT_READ);
  const pready = psel.selectAsync(2);
  setTimeout(() => write(pw, new Uint8Array([1])), 10);
  assert.equal((await pready).length, 1);
  psel.close();
  close(pr);
  close(pw);
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
  // An async task awaiting the host's own timer: the loop gives the host
  // turns (koffi's pool on Node, a timer turn on Bun) until it fires.
  const host = loop.createTask(async () => {
    await new Promise((r) => setTimeout(r, 15));
    return "host";
  });
  const result = await loop.runUntilComplete(loop.createTask(worker()));
  assert.equal(result, 7);
  assert.equal(await loop.runUntilComplete(host), "host");
  assert.equal(victim.cancelled(), true);
  assert.throws(() => victim.result(), CancelledError);
  assert.deepEqual(order, ["soon", "later", "task"]);
  loop.close();
  seen.push("loop");
}

// Bun: a libc call on a Worker leaves the JS thread free (a host timer
// fires during a 200 ms sleep there), and what it wrote into a buffer
// comes back (pipe()'s two fds, ours to close).
if (runtime === "bun") {
  const t0 = performance.now();
  let firedAt = -1;
  setTimeout(() => firedAt = performance.now() - t0, 10);
  const sig = { args: ["u32"], returns: "i32" };
  assert.equal(await callOnWorker(libraryName(), "usleep", sig, [200_000]), 0);
  assert.ok(firedAt >= 0 && firedAt < 150, `timer at ${firedAt} ms`);
  const fds = new Int32Array(2);
  const pipeSig = { args: ["buffer"], returns: "i32" };
  assert.equal(await callOnWorker(libraryName(), "pipe", pipeSig, [fds]), 0);
  assert.ok(fds[0] > 2 && fds[1] > 2, "pipe() wrote no fds back");
  write(fds[1], new Uint8Array([9]));
  const one = new Uint8Array(1);
  assert.equal(read(fds[0], one), 1);
  assert.equal(one[0], 9);
  close(fds[0]);
  close(fds[1]);
  seen.push("worker");
}

await assertNoFdLeaked(fdsBefore);
// The environment reaches DefaultSelector (the harness sets
// ASYNCIO_SELECTOR=poll).
const selector = defaultSelectorName().name;

console.log(JSON.stringify({ runtime, seen, selector }));
