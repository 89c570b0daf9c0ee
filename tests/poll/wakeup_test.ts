import assert from "node:assert/strict";
import {
  BlockingIOError,
  EVENT_READ,
  PollSelector,
  read,
  Wakeup,
} from "../../poll/mod.ts";
import { Worker } from "node:worker_threads";
import { LINUX, openFds, scaffoldUrl, test } from "./_helpers.ts";

test("Wakeup.signal() makes fd readable and drain() makes it quiet", () => {
  using w = new Wakeup();
  using sel = new PollSelector();
  sel.register(w.fd, EVENT_READ);
  assert.deepEqual(sel.select(0), []);
  w.signal();
  assert.equal(sel.select(0).length, 1);
  assert.equal(w.drain(), true);
  assert.deepEqual(sel.select(0), []);
});

test("Wakeup.signal() twice needs one drain()", () => {
  using w = new Wakeup();
  w.signal();
  w.signal();
  assert.equal(w.drain(), true);
  assert.equal(w.drain(), false);
  assert.throws(() => read(w.fd, new Uint8Array(8)), BlockingIOError);
});

test("Wakeup.signal() thousands of times never blocks or throws", () => {
  using w = new Wakeup();
  for (let i = 0; i < 20_000; i++) w.signal();
  assert.equal(w.drain(), true);
  assert.equal(w.drain(), false);
});

test("Wakeup uses one eventfd on Linux", () => {
  using w = new Wakeup();
  assert.equal(w.fd, w.writeFd);
}, { ignore: !LINUX });

test(
  "Wakeup.signalFd() wakes a selector from a Worker given only the fd",
  async () => {
    const w = new Wakeup();
    {
      using sel = new PollSelector();
      sel.register(w.fd, EVENT_READ);
      // node:worker_threads: the same on Deno, Node and Bun.
      const worker = new Worker(
        scaffoldUrl("./_wakeup_worker", import.meta.url),
      );
      try {
        const sent = new Promise((resolve) => worker.once("message", resolve));
        worker.postMessage(w.writeFd);
        const ready = await sel.selectAsync(10);
        await sent;
        assert.equal(ready.length, 1);
        assert.equal(ready[0][0].fd, w.fd);
      } finally {
        await worker.terminate();
      }
    }
    const fds = [w.fd, w.writeFd];
    w.close();
    // Census off (a Worker opens runtime fds): check our own are closed.
    assert.ok(fds.every((fd) => !openFds().includes(fd)));
  },
  { census: false },
);

test("Wakeup.close() is idempotent and later calls say it is closed", () => {
  const w = new Wakeup();
  const fd = w.fd;
  w.close();
  w.close();
  w[Symbol.dispose]();
  assert.throws(
    () => w.signal(),
    new Error("Cannot signal: the wake-up fd is closed"),
  );
  assert.equal(w.drain(), false);
  assert.ok(!openFds().includes(fd));
});
