import assert from "node:assert/strict";
import {
  close,
  EVENT_READ,
  EVENT_WRITE,
  pipe,
  read,
  type Selector,
  socketPair,
  write,
} from "../../mod.ts";
import { noLeak, SELECTORS } from "./_helpers.ts";

const ONE = new Uint8Array([1]);

function withPipe(fn: (r: number, w: number) => void | Promise<void>) {
  return noLeak(async () => {
    const [r, w] = pipe();
    try {
      await fn(r, w);
    } finally {
      close(r);
      close(w);
    }
  });
}

for (const [name, Sel] of SELECTORS) {
  const make = (): Selector<unknown> => new Sel();

  Deno.test(`${name}.select() reports a pipe readable once data arrives`, () =>
    withPipe((r, w) => {
      using sel = make();
      sel.register(r, EVENT_READ, "r");
      assert.deepEqual(sel.select(0), []);
      write(w, ONE);
      const ready = sel.select(1);
      assert.equal(ready.length, 1);
      assert.equal(ready[0][0].fd, r);
      assert.equal(ready[0][0].data, "r");
      assert.equal(ready[0][1], EVENT_READ);
    }));

  Deno.test(`${name}.select() reports an empty pipe writable`, () =>
    withPipe((_r, w) => {
      using sel = make();
      sel.register(w, EVENT_WRITE);
      const ready = sel.select(0);
      assert.equal(ready.length, 1);
      assert.equal(ready[0][1], EVENT_WRITE);
    }));

  Deno.test(`${name}.select() reports both events on a socket pair`, () =>
    noLeak(() => {
      const [a, b] = socketPair();
      try {
        using sel = make();
        sel.register(a, EVENT_READ | EVENT_WRITE);
        assert.equal(sel.select(0)[0][1], EVENT_WRITE);
        write(b, ONE);
        assert.equal(sel.select(0)[0][1], EVENT_READ | EVENT_WRITE);
      } finally {
        close(a);
        close(b);
      }
    }));

  Deno.test(`${name}.modify() changes the watched events and data`, () =>
    withPipe((r, w) => {
      using sel = make();
      sel.register(w, EVENT_WRITE, "old");
      const key = sel.modify(w, EVENT_READ, "new");
      assert.equal(key.events, EVENT_READ);
      assert.equal(sel.getKey(w).data, "new");
      assert.deepEqual(sel.select(0), []);
      sel.modify(w, EVENT_WRITE, "again");
      assert.equal(sel.select(0)[0][0].data, "again");
      void r;
    }));

  Deno.test(`${name}.unregister() stops reporting the fd`, () =>
    withPipe((r, w) => {
      using sel = make();
      sel.register(r, EVENT_READ);
      write(w, ONE);
      const key = sel.unregister(r);
      assert.equal(key.fd, r);
      assert.deepEqual(sel.select(0), []);
      assert.equal(sel.getMap().size, 0);
    }));

  Deno.test(`${name}.select() with a small timeout returns empty when idle`, () =>
    withPipe((r) => {
      using sel = make();
      sel.register(r, EVENT_READ);
      assert.deepEqual(sel.select(0.01), []);
      assert.deepEqual(sel.select(-1), []);
    }));

  Deno.test(`${name}.select() without a timeout returns when data is already there`, () =>
    withPipe((r, w) => {
      using sel = make();
      sel.register(r, EVENT_READ);
      write(w, ONE);
      assert.equal(sel.select().length, 1);
      assert.equal(sel.select(null).length, 1);
    }));

  Deno.test(`${name}.select() reports a peer hang-up as readable`, () =>
    noLeak(() => {
      const [r, w] = pipe();
      try {
        using sel = make();
        sel.register(r, EVENT_READ);
        close(w);
        const ready = sel.select(1);
        assert.equal(ready.length, 1);
        assert.equal(ready[0][1], EVENT_READ);
        assert.equal(read(r, new Uint8Array(1)), 0);
      } finally {
        close(r);
      }
    }));

  Deno.test(`${name}.select() reports a closed reader's pipe writable (EPIPE to come)`, () =>
    noLeak(() => {
      const [r, w] = pipe();
      try {
        using sel = make();
        sel.register(w, EVENT_WRITE);
        close(r);
        assert.equal(sel.select(1)[0][1], EVENT_WRITE);
      } finally {
        close(w);
      }
    }));

  Deno.test(`${name}.selectAsync() waits on the thread pool`, () =>
    withPipe(async (r, w) => {
      using sel = make();
      sel.register(r, EVENT_READ);
      const p = sel.selectAsync(5);
      setTimeout(() => write(w, ONE), 10);
      const ready = await p;
      assert.equal(ready.length, 1);
      assert.equal(ready[0][0].fd, r);
    }));

  Deno.test(`${name}.register() watches many fds at once`, () =>
    noLeak(() => {
      // select() is limited to fds below 1024: use fewer pipes there.
      const pairs = name === "SelectSelector" ? 200 : 500;
      const fds: Array<[number, number]> = [];
      try {
        for (let i = 0; i < pairs; i++) fds.push(pipe());
        using sel = make();
        for (const [r] of fds) sel.register(r, EVENT_READ);
        for (let i = 0; i < pairs; i += 7) write(fds[i][1], ONE);
        const ready = sel.select(1);
        assert.equal(ready.length, Math.ceil(pairs / 7));
      } finally {
        for (const [r, w] of fds) {
          close(r);
          close(w);
        }
      }
    }));

  Deno.test(`${name}.register() rejects an fd registered twice and keeps the first`, () =>
    withPipe((r) => {
      using sel = make();
      sel.register(r, EVENT_READ, "first");
      assert.throws(
        () => sel.register(r, EVENT_WRITE, "second"),
        /already registered/,
      );
      assert.equal(sel.getKey(r).data, "first");
      assert.equal(sel.getMap().size, 1);
    }));

  Deno.test(`${name}.register() rejects bad events and bad fds`, () =>
    withPipe((r) => {
      using sel = make();
      assert.throws(() => sel.register(r, 0), RangeError);
      assert.throws(() => sel.register(r, 4), RangeError);
      assert.throws(() => sel.register(-1, EVENT_READ), RangeError);
      assert.throws(() => sel.register(1.5, EVENT_READ), RangeError);
      assert.throws(() => sel.register("3" as never, EVENT_READ), TypeError);
      assert.equal(sel.getMap().size, 0);
    }));

  Deno.test(`${name}.register() accepts an object with fileno()`, () =>
    withPipe((r) => {
      using sel = make();
      const obj = { fileno: () => r };
      const key = sel.register(obj, EVENT_READ);
      assert.equal(key.fileobj, obj);
      assert.equal(key.fd, r);
      sel.unregister(obj);
    }));

  Deno.test(`${name}.unregister() of an unknown fd is a clear error`, () => {
    using sel = make();
    assert.throws(() => sel.unregister(999), /not registered/);
    assert.throws(() => sel.modify(999, EVENT_READ), /not registered/);
    assert.throws(() => sel.getKey(999), /not registered/);
  });

  Deno.test(`${name}.modify() with bad events changes nothing`, () =>
    withPipe((r) => {
      using sel = make();
      sel.register(r, EVENT_READ, "d");
      assert.throws(() => sel.modify(r, 0), RangeError);
      assert.equal(sel.getKey(r).events, EVENT_READ);
      assert.equal(sel.getKey(r).data, "d");
    }));

  Deno.test(`${name} refuses every call once closed`, () =>
    withPipe((r) => {
      const sel = make();
      sel.close();
      sel.close();
      assert.throws(() => sel.register(r, EVENT_READ), /closed/);
      assert.throws(() => sel.select(0), /closed/);
      assert.throws(() => sel.getMap(), /closed/);
    }));

  Deno.test(`${name}.select() rejects a timeout that is not a number`, () => {
    using sel = make();
    assert.throws(() => sel.select("1" as never), TypeError);
  });
}

Deno.test("SelectSelector.register() names FD_SETSIZE for fds above it", async () => {
  const { SelectSelector } = await import("../../mod.ts");
  using sel = new SelectSelector();
  assert.throws(
    () => sel.register(1500, EVENT_READ),
    (e) =>
      e instanceof RangeError && /FD_SETSIZE \(1024\)/.test(e.message) &&
      /PollSelector or EpollSelector/.test(e.message),
  );
  assert.equal(sel.getMap().size, 0);
});
