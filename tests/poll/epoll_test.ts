import assert from "node:assert/strict";
import {
  close,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  OSError,
  pipe,
  write,
} from "../../poll/mod.ts";
import { closeAll, LINUX, openFds, test } from "./_helpers.ts";
import { selectorSuite } from "./_selector_suite.ts";

selectorSuite("EpollSelector", EpollSelector, { ignore: !LINUX });

test(
  "EpollSelector.register() turns a kernel refusal into OSError and changes nothing",
  () => {
    using sel = new EpollSelector();
    // An epoll set cannot watch itself (epoll_ctl(2): EINVAL).
    const self = sel.fileno();
    assert.throws(
      () => sel.register(self, EVENT_READ),
      (e) =>
        e instanceof OSError && e.code === "EINVAL" && e.fd === self &&
        e.syscall === "epoll_ctl" &&
        e.message === `epoll_ctl(fd ${self}) failed: EINVAL (Invalid argument)`,
    );
    assert.equal(sel.getMap().size, 0);
  },
  { ignore: !LINUX },
);

test("EpollSelector.fileno() is the epoll fd, released by close()", () => {
  const sel = new EpollSelector();
  const fd = sel.fileno();
  assert.ok(openFds().includes(fd));
  sel.close();
  assert.ok(!openFds().includes(fd));
}, { ignore: !LINUX });

test("EpollSelector.select() forgets an fd closed while registered", () => {
  const [r, w] = pipe();
  using _ = closeAll(r);
  using sel = new EpollSelector();
  sel.register(w, EVENT_WRITE);
  close(w);
  // The kernel dropped it from the set; the key stays until unregister(),
  // as in Python.
  assert.deepEqual(sel.select(0), []);
  assert.equal(sel.getMap().size, 1);
  sel.unregister(w);
}, { ignore: !LINUX });

test("EpollSelector.select() grows its event buffer past 64 ready fds", () => {
  const pipes = Array.from({ length: 100 }, () => pipe());
  using _ = closeAll(...pipes.flat());
  using sel = new EpollSelector();
  for (const [r, w] of pipes) {
    sel.register(r, EVENT_READ);
    write(w, new Uint8Array([1]));
  }
  assert.equal(sel.select(0).length, 100);
}, { ignore: !LINUX });

test("EpollSelector() is refused off Linux with a clear error", () => {
  assert.throws(
    () => new EpollSelector(),
    /epoll_create1\(\).*DefaultSelector/,
  );
}, { ignore: LINUX });

Deno.test({
  name: "EpollSelector dropped without close() releases its fd when collected",
  ignore: !LINUX,
  fn: async () => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const before = openFds().length;
    (() => {
      for (let i = 0; i < 20; i++) new EpollSelector();
    })();
    assert.equal(openFds().length, before + 20);
    for (let i = 0; i < 3 && openFds().length > before; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(openFds().length, before);
  },
});
