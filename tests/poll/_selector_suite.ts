/**
 * The selector contract (poll/types.ts) as one suite, run by each backend's
 * test file against its class: readiness on pipes and socket pairs, modify,
 * unregister, timeouts, hang-ups, errors, many fds, bad input that changes
 * nothing, a closed selector, selectAsync, and EINTR. Every test checks
 * that no fd leaked.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  BrokenPipeError,
  close,
  ConnectionResetError,
  EVENT_READ,
  EVENT_WRITE,
  OSError,
  pipe,
  read,
  type Selector,
  type SelectorKey,
  socketPair,
  write,
} from "../../poll/mod.ts";
import { closeAll, interruptSoon, LINUX, openFds, test } from "./_helpers.ts";

const ONE = new Uint8Array([1]);

/** Options of {@linkcode selectorSuite}. */
export interface SuiteOptions {
  /** Skip everything (the mechanism does not exist on this OS). */
  ignore?: boolean;
  /** Highest fd + 1 the selector accepts (select's FD_SETSIZE). */
  fdLimit?: number;
}

/** Define the contract's tests for `Sel`, named `${name}.method() ...`. */
export function selectorSuite(
  name: string,
  Sel: new () => Selector<unknown>,
  options: SuiteOptions = {},
): void {
  const t = (
    title: string,
    fn: () => void | Promise<void>,
    skipHere = false,
    census = true,
  ) =>
    test(`${name}${title}`, fn, {
      ignore: options.ignore || skipHere,
      census,
    });

  // Readiness

  t(".register() returns a frozen key with the fd, events and data", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(r, EVENT_READ, "data");
    assert.deepEqual(
      { ...key },
      { fileobj: r, fd: r, events: EVENT_READ, data: "data" },
    );
    assert.ok(Object.isFrozen(key));
    assert.equal(sel.getKey(r), key);
    assert.equal(sel.getMap().get(r), key);
  });

  t(".select() reports a pipe readable once data arrives", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(r, EVENT_READ, "r");
    assert.deepEqual(sel.select(0), []);
    write(w, ONE);
    assert.deepEqual(sel.select(1), [[key, EVENT_READ]]);
    read(r, new Uint8Array(1));
    assert.deepEqual(sel.select(0), []);
  });

  t(".select() reports an empty pipe writable", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(w, EVENT_WRITE);
    assert.deepEqual(sel.select(0), [[key, EVENT_WRITE]]);
  });

  t(".select() reports both events of one fd in one entry", () => {
    const [a, b] = socketPair();
    using _ = closeAll(a, b);
    using sel = new Sel();
    const key = sel.register(a, EVENT_READ | EVENT_WRITE);
    assert.deepEqual(sel.select(0), [[key, EVENT_WRITE]]);
    write(b, ONE);
    assert.deepEqual(sel.select(0), [[key, EVENT_READ | EVENT_WRITE]]);
  });

  t(".select() reports only the events an fd is registered for", () => {
    const [a, b] = socketPair();
    using _ = closeAll(a, b);
    using sel = new Sel();
    sel.register(a, EVENT_READ);
    assert.deepEqual(sel.select(0), []); // writable, but not asked
    write(b, ONE);
    assert.equal(sel.select(0)[0][1], EVENT_READ);
  });

  t(".select() reports several ready fds", () => {
    const [r1, w1] = pipe();
    const [r2, w2] = pipe();
    using _ = closeAll(r1, w1, r2, w2);
    using sel = new Sel();
    sel.register(r1, EVENT_READ, 1);
    sel.register(r2, EVENT_READ, 2);
    sel.register(w2, EVENT_WRITE, 3);
    write(w1, ONE);
    const got = sel.select(0).map(([k, ev]) => [k.data, ev]);
    got.sort((x, y) => Number(x[0]) - Number(y[0]));
    assert.deepEqual(got, [[1, EVENT_READ], [3, EVENT_WRITE]]);
  });

  // modify / unregister

  t(".modify() changes the events and data and replaces the key", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const old = sel.register(w, EVENT_WRITE, "old");
    const key = sel.modify(w, EVENT_READ, "new");
    assert.notEqual(key, old);
    assert.deepEqual([old.events, old.data], [EVENT_WRITE, "old"]);
    assert.deepEqual([key.events, key.data], [EVENT_READ, "new"]);
    assert.equal(sel.getKey(w), key);
    assert.deepEqual(sel.select(0), []);
    const again = sel.modify(w, EVENT_WRITE | EVENT_READ, "again");
    assert.deepEqual(sel.select(0), [[again, EVENT_WRITE]]);
  });

  t(".modify() with the same events changes only the data", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    sel.register(w, EVENT_WRITE, 1);
    const key = sel.modify(w, EVENT_WRITE, 2);
    assert.deepEqual(sel.select(0), [[key, EVENT_WRITE]]);
  });

  t(".unregister() stops reporting the fd and returns its key", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(r, EVENT_READ);
    write(w, ONE);
    assert.equal(sel.unregister(r), key);
    assert.deepEqual(sel.select(0), []);
    assert.equal(sel.getMap().size, 0);
    // And it can come back.
    const back = sel.register(r, EVENT_READ);
    assert.deepEqual(sel.select(0), [[back, EVENT_READ]]);
  });

  t(".unregister() accepts an fd that was closed while registered", () => {
    const [r, w] = pipe();
    using sel = new Sel();
    sel.register(r, EVENT_READ);
    close(r);
    close(w);
    assert.equal(sel.unregister(r).fd, r);
    assert.equal(sel.getMap().size, 0);
  });

  t(".register() accepts an object with fileno()", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const obj = { fileno: () => r };
    const key = sel.register(obj, EVENT_READ);
    assert.equal(key.fileobj, obj);
    assert.equal(key.fd, r);
    assert.equal(sel.getKey(obj), key);
    assert.equal(sel.unregister(obj), key);
  });

  // Timeouts

  t(
    ".select() with a zero, small or negative timeout returns empty when idle",
    () => {
      const [r, w] = pipe();
      using _ = closeAll(r, w);
      using sel = new Sel();
      sel.register(r, EVENT_READ);
      assert.deepEqual(sel.select(0), []);
      assert.deepEqual(sel.select(0.01), []);
      assert.deepEqual(sel.select(-1), []);
      assert.deepEqual(sel.select(0.0001), []);
    },
  );

  t(".select() without a timeout returns at once when data is there", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    sel.register(r, EVENT_READ);
    write(w, ONE);
    assert.equal(sel.select().length, 1);
    assert.equal(sel.select(null).length, 1);
    assert.equal(sel.select(undefined).length, 1);
  });

  t(".select() with no fds registered and a timeout returns empty", () => {
    using sel = new Sel();
    assert.deepEqual(sel.select(0.001), []);
  });

  // Hang-ups and errors

  t(".select() reports a pipe's hang-up as readable", () => {
    const [r, w] = pipe();
    using _ = closeAll(r);
    using sel = new Sel();
    const key = sel.register(r, EVENT_READ);
    close(w);
    assert.deepEqual(sel.select(1), [[key, EVENT_READ]]);
    assert.equal(read(r, new Uint8Array(1)), 0);
  });

  t(".select() reports a socket peer's hang-up as readable", () => {
    const [a, b] = socketPair();
    using _ = closeAll(a);
    using sel = new Sel();
    const key = sel.register(a, EVENT_READ);
    close(b);
    assert.deepEqual(sel.select(1), [[key, EVENT_READ]]);
    assert.equal(read(a, new Uint8Array(1)), 0);
  });

  t(".select() reports a pipe without reader writable, then EPIPE", () => {
    const [r, w] = pipe();
    using _ = closeAll(w);
    using sel = new Sel();
    const key = sel.register(w, EVENT_WRITE);
    close(r);
    assert.deepEqual(sel.select(1), [[key, EVENT_WRITE]]);
    assert.throws(() => write(w, ONE), BrokenPipeError);
  });

  t(".select() reports a reset connection as readable, then ECONNRESET", () => {
    const [a, b] = socketPair();
    using _ = closeAll(a);
    using sel = new Sel();
    const key = sel.register(a, EVENT_READ | EVENT_WRITE);
    // Closing a Unix socket with unread data resets the connection.
    write(a, ONE);
    close(b);
    const [[k, events]] = sel.select(1);
    assert.equal(k, key);
    assert.ok(events & EVENT_READ);
    assert.throws(() => read(a, new Uint8Array(1)), ConnectionResetError);
  }, !LINUX);

  // Many fds

  t(".select() watches 1000 fds at once", () => {
    const limit = options.fdLimit ?? Infinity;
    const pipes: Array<[number, number]> = [];
    for (let i = 0; i < 500; i++) pipes.push(pipe());
    using _ = closeAll(...pipes.flat());
    using sel = new Sel();
    let readers = 0, writers = 0, refused = 0;
    for (let i = 0; i < pipes.length; i++) {
      const [r, w] = pipes[i];
      for (const [fd, events] of [[r, EVENT_READ], [w, EVENT_WRITE]]) {
        if (fd >= limit) {
          assert.throws(() => sel.register(fd, events), RangeError);
          refused++;
          continue;
        }
        sel.register(fd, events, i);
        if (events === EVENT_WRITE) writers++;
        else if (i % 7 === 0) readers++;
      }
      if (i % 7 === 0) write(w, ONE);
    }
    assert.equal(sel.getMap().size + refused, 1000);
    const ready = sel.select(1);
    assert.equal(ready.length, readers + writers);
    for (const [key, events] of ready) {
      assert.equal(events, key.events);
      if (events === EVENT_READ) assert.equal(Number(key.data) % 7, 0);
    }
  });

  // Bad input changes nothing

  t(".register() rejects an fd registered twice and keeps the first", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const first = sel.register(r, EVENT_READ, "first");
    assert.throws(
      () => sel.register(r, EVENT_WRITE, "second"),
      (e) =>
        e instanceof Error &&
        e.message ===
          `Cannot register fd ${r}: it is already registered, use modify() to change its events`,
    );
    assert.equal(sel.getKey(r), first);
    assert.equal(sel.getMap().size, 1);
    write(w, ONE);
    assert.deepEqual(sel.select(0), [[first, EVENT_READ]]);
  });

  t(".register() rejects a bad events mask and changes nothing", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    for (const events of [0, 4, -1, 1.5, NaN, 7]) {
      assert.throws(() => sel.register(r, events), RangeError);
    }
    assert.throws(() => sel.register(r, "1" as never), RangeError);
    assert.equal(sel.getMap().size, 0);
    sel.register(r, EVENT_READ); // still registrable
  });

  t(".register() rejects what is not an fd and changes nothing", () => {
    using sel = new Sel();
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      assert.throws(() => sel.register(bad, EVENT_READ), RangeError);
    }
    for (const bad of ["3", null, undefined, {}, { fileno: 3 }]) {
      assert.throws(() => sel.register(bad as never, EVENT_READ), TypeError);
    }
    assert.throws(
      () => sel.register({ fileno: () => -2 }, EVENT_READ),
      RangeError,
    );
    assert.equal(sel.getMap().size, 0);
  });

  t(
    ".register() of a closed fd throws OSError EBADF and changes nothing",
    () => {
      using sel = new Sel(); // first, so it cannot take the closed number
      const [r, w] = pipe();
      close(r);
      close(w);
      assert.throws(
        () => sel.register(r, EVENT_READ),
        (e) => e instanceof OSError && e.code === "EBADF" && e.fd === r,
      );
      assert.equal(sel.getMap().size, 0);
      assert.deepEqual(sel.select(0), []);
    },
  );

  t(
    ".unregister(), .modify() and .getKey() of an unknown fd change nothing",
    () => {
      const [r, w] = pipe();
      using _ = closeAll(r, w);
      using sel = new Sel();
      const key = sel.register(r, EVENT_READ);
      assert.throws(
        () => sel.unregister(w),
        new Error(`Cannot unregister fd ${w}: it is not registered`),
      );
      assert.throws(
        () => sel.modify(w, EVENT_READ),
        new Error(
          `Cannot modify fd ${w}: it is not registered, use register() first`,
        ),
      );
      assert.throws(() => sel.getKey(w), /not registered/);
      assert.throws(() => sel.unregister(-1), RangeError);
      assert.throws(() => sel.getKey("x" as never), TypeError);
      assert.deepEqual([...sel.getMap()], [[r, key]]);
    },
  );

  t(".modify() with bad events keeps the old key and interest", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(w, EVENT_WRITE, "d");
    for (const events of [0, 4, 2.5]) {
      assert.throws(() => sel.modify(w, events, "x"), RangeError);
    }
    assert.equal(sel.getKey(w), key);
    assert.deepEqual(sel.select(0), [[key, EVENT_WRITE]]);
  });

  t(".select() rejects a timeout that is not a number", () => {
    using sel = new Sel();
    assert.throws(() => sel.select("1" as never), TypeError);
    assert.throws(() => sel.select(NaN), TypeError);
  });

  t(".getMap() is a live read-only view", () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const map = sel.getMap();
    const key = sel.register(r, EVENT_READ);
    assert.equal(map.size, 1);
    assert.equal(map.get(r), key);
    assert.ok(map.has(r));
    assert.deepEqual([...map.keys()], [r]);
    assert.deepEqual([...map.values()], [key]);
    const seen: Array<[number, SelectorKey<unknown>]> = [];
    map.forEach((k, fd) => seen.push([fd, k]));
    assert.deepEqual(seen, [[r, key]]);
    assert.equal((map as Map<number, unknown>).set, undefined);
  });

  // Closed selector

  t(".close() makes every later call fail, and is idempotent", async () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    const sel = new Sel();
    sel.register(r, EVENT_READ);
    sel.close();
    sel.close();
    sel[Symbol.dispose]();
    const closed = /^Error: Cannot .+: the \w+ selector is closed$/;
    assert.throws(() => sel.register(w, EVENT_WRITE), closed);
    assert.throws(() => sel.unregister(r), closed);
    assert.throws(() => sel.modify(r, EVENT_WRITE), closed);
    assert.throws(() => sel.getKey(r), closed);
    assert.throws(() => sel.getMap(), closed);
    assert.throws(() => sel.select(0), closed);
    await assert.rejects(() => sel.selectAsync(0), closed);
  });

  // selectAsync

  t(".selectAsync() waits on the thread pool until data arrives", async () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(r, EVENT_READ);
    const ready = sel.selectAsync(5);
    // The JS thread is free meanwhile: this timer runs.
    setTimeout(() => write(w, ONE), 10);
    assert.deepEqual(await ready, [[key, EVENT_READ]]);
  });

  t(".selectAsync() returns ready fds and honours a zero timeout", async () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new Sel();
    const key = sel.register(r, EVENT_READ);
    assert.deepEqual(await sel.selectAsync(0), []);
    assert.deepEqual(await sel.selectAsync(0.01), []);
    write(w, ONE);
    assert.deepEqual(await sel.selectAsync(), [[key, EVENT_READ]]);
  });

  t(
    ".selectAsync() allows one wait at a time and no select() meanwhile",
    async () => {
      const [r, w] = pipe();
      using _ = closeAll(r, w);
      using sel = new Sel();
      sel.register(r, EVENT_READ);
      const first = sel.selectAsync(5);
      await assert.rejects(() => sel.selectAsync(0), /still waiting/);
      assert.throws(() => sel.select(0), /still waiting/);
      write(w, ONE);
      assert.equal((await first).length, 1);
      assert.equal(sel.select(0).length, 1);
    },
  );

  t(
    ".selectAsync() resolves empty when the selector is closed meanwhile",
    async () => {
      const [r, w] = pipe();
      using _ = closeAll(r, w);
      const sel = new Sel();
      sel.register(r, EVENT_READ);
      const ready = sel.selectAsync(0.05);
      sel.close();
      assert.throws(() => sel.getMap(), /closed/);
      // The kernel object is released once the pooled wait is over (the
      // census around this test checks it).
      assert.deepEqual(await ready, []);
    },
  );

  t(
    ".close() ends a pending selectAsync() at once, not at its timeout",
    async () => {
      const [r, w] = pipe();
      using _ = closeAll(r, w);
      const sel = new Sel();
      sel.register(r, EVENT_READ);
      const t0 = performance.now();
      const ready = sel.selectAsync(5);
      sel.close();
      assert.deepEqual(await ready, []);
      // Without the interrupt fd the pooled wait would run its full 5 s; a
      // loaded machine takes milliseconds, never seconds, to end it.
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `close() left the wait running for ${ms} ms`);
    },
  );

  t(
    ".selectAsync() sees fds registered and unregistered while it waited",
    async () => {
      const [r1, w1] = pipe();
      const [r2, w2] = pipe();
      using _ = closeAll(r1, w1, r2, w2);
      using sel = new Sel();
      sel.register(r1, EVENT_READ);
      const ready = sel.selectAsync(0.05);
      sel.unregister(r1);
      write(w1, ONE);
      // Not in the pooled wait, but registered when it returns.
      sel.register(r2, EVENT_READ);
      const got = await ready;
      assert.ok(got.every(([k]) => k.fd === r2));
    },
  );

  // EINTR. A Worker sends the signal; Deno opens runtime fds for it, so
  // these tests check that their own fds are closed instead of a census.

  t(
    ".select() retries a wait interrupted by a signal (EINTR)",
    async () => {
      const [r, w] = pipe();
      {
        using _ = closeAll(r, w);
        using sel = new Sel();
        const key = sel.register(r, EVENT_READ);
        const signal = await interruptSoon(w);
        signal.start();
        // Interrupted after ~30 ms, then the byte arrives; without the retry
        // this would throw InterruptedError.
        const ready = sel.select();
        await signal.done;
        assert.deepEqual(ready, [[key, EVENT_READ]]);
      }
      assert.ok(!openFds().includes(r) && !openFds().includes(w));
    },
    !LINUX,
    false,
  );

  t(
    ".select() retries EINTR with the time left and then times out",
    async () => {
      const [r, w] = pipe();
      {
        using _ = closeAll(r, w);
        using sel = new Sel();
        sel.register(r, EVENT_READ);
        const signal = await interruptSoon();
        signal.start();
        const ready = sel.select(0.2);
        await signal.done;
        assert.deepEqual(ready, []);
      }
      assert.ok(!openFds().includes(r) && !openFds().includes(w));
    },
    !LINUX,
    false,
  );
}
