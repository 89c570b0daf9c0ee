import assert from "node:assert/strict";
import {
  DefaultSelector,
  defaultSelectorName,
  EpollSelector,
  EVENT_READ,
  KqueueSelector,
  pipe,
  PollSelector,
  SelectSelector,
} from "../../poll/mod.ts";
import { closeAll, KQUEUE, LINUX, test } from "./_helpers.ts";

/** Run `fn` with ASYNCIO_SELECTOR set to `value`, then restore it. */
function withEnv(value: string | undefined, fn: () => void): void {
  const old = Deno.env.get("ASYNCIO_SELECTOR");
  if (value === undefined) Deno.env.delete("ASYNCIO_SELECTOR");
  else Deno.env.set("ASYNCIO_SELECTOR", value);
  try {
    fn();
  } finally {
    if (old === undefined) Deno.env.delete("ASYNCIO_SELECTOR");
    else Deno.env.set("ASYNCIO_SELECTOR", old);
  }
}

test("DefaultSelector() is epoll on Linux and kqueue on macOS/FreeBSD", () => {
  withEnv(undefined, () => {
    using sel = new DefaultSelector();
    if (LINUX) assert.ok(sel instanceof EpollSelector);
    if (KQUEUE) assert.ok(sel instanceof KqueueSelector);
    const { name, reason } = defaultSelectorName();
    assert.equal(name, LINUX ? "epoll" : KQUEUE ? "kqueue" : name);
    assert.match(reason, /no fd limit/);
  });
});

test("DefaultSelector() obeys ASYNCIO_SELECTOR and says so", () => {
  for (
    const [value, Cls] of [["select", SelectSelector], ["poll", PollSelector]]
  ) {
    withEnv(value as string, () => {
      using sel = new DefaultSelector();
      assert.ok(sel instanceof (Cls as typeof PollSelector));
      assert.deepEqual(defaultSelectorName(), {
        name: value,
        reason: `ASYNCIO_SELECTOR=${value} asks for it`,
      });
    });
  }
});

test("DefaultSelector() rejects an unknown ASYNCIO_SELECTOR", () => {
  withEnv("iocp", () => {
    const msg =
      "Cannot pick a selector: ASYNCIO_SELECTOR=iocp is not one of select, poll, epoll, kqueue";
    assert.throws(() => new DefaultSelector(), new RangeError(msg));
    assert.throws(() => defaultSelectorName(), new RangeError(msg));
  });
  withEnv("toString", () => {
    assert.throws(() => new DefaultSelector(), RangeError);
  });
});

test("DefaultSelector() ignores an empty ASYNCIO_SELECTOR", () => {
  withEnv("", () => {
    assert.doesNotMatch(defaultSelectorName().reason, /ASYNCIO_SELECTOR/);
  });
});

test("DefaultSelector() works through the Selector interface", () => {
  const [r, w] = pipe();
  using _ = closeAll(r, w);
  using sel = new DefaultSelector<string>();
  const key = sel.register(r, EVENT_READ, "r");
  assert.equal(sel.getKey(r), key);
  assert.equal(sel.unregister(r), key);
});

Deno.test({
  name:
    "defaultSelectorName() without env permission uses the platform default",
  permissions: { env: false, ffi: true, read: true },
  fn() {
    // Checked with a permission query first: no prompt, no NotCapable.
    const { name, reason } = defaultSelectorName();
    assert.doesNotMatch(reason, /ASYNCIO_SELECTOR/);
    if (LINUX) assert.equal(name, "epoll");
  },
});
