import assert from "node:assert/strict";
import {
  BlockingIOError,
  BrokenPipeError,
  close,
  errnoName,
  errnoOf,
  eventfd,
  fromErrno,
  OSError,
  pipe,
  read,
  setBlocking,
  socketPair,
  TimeoutError,
  Wakeup,
  write,
} from "../../mod.ts";
import { noLeak } from "./_helpers.ts";

Deno.test("pipe() carries bytes from the write end to the read end", () =>
  noLeak(() => {
    const [r, w] = pipe();
    assert.equal(write(w, new TextEncoder().encode("abc")), 3);
    const buf = new Uint8Array(8);
    const n = read(r, buf);
    assert.equal(new TextDecoder().decode(buf.subarray(0, n)), "abc");
    close(r);
    close(w);
  }));

Deno.test("read() on an empty non-blocking pipe throws BlockingIOError", () =>
  noLeak(() => {
    const [r, w] = pipe({ nonblocking: true });
    try {
      assert.throws(
        () => read(r, new Uint8Array(1)),
        (e) => e instanceof BlockingIOError && e.code === "EAGAIN",
      );
    } finally {
      close(r);
      close(w);
    }
  }));

Deno.test("setBlocking(false) makes reads fail fast instead of blocking", () =>
  noLeak(() => {
    const [a, b] = socketPair();
    try {
      setBlocking(a, false);
      assert.throws(() => read(a, new Uint8Array(1)), BlockingIOError);
      setBlocking(a, true);
      write(b, new Uint8Array([9]));
      assert.equal(read(a, new Uint8Array(1)), 1);
    } finally {
      close(a);
      close(b);
    }
  }));

Deno.test("write() to a pipe with no reader throws BrokenPipeError", () =>
  noLeak(() => {
    const [r, w] = pipe();
    close(r);
    try {
      assert.throws(() => write(w, new Uint8Array([1])), BrokenPipeError);
    } finally {
      close(w);
    }
  }));

Deno.test("close() of a closed fd throws OSError EBADF naming the call", () => {
  const [r, w] = pipe();
  close(r);
  close(w);
  assert.throws(
    () => close(r),
    (e) =>
      e instanceof OSError && e.code === "EBADF" && e.syscall === "close" &&
      e.fd === r && /close\(fd \d+\) failed: EBADF/.test(e.message),
  );
});

Deno.test("read() rejects a negative fd before calling the kernel", () => {
  assert.throws(() => read(-1, new Uint8Array(1)), RangeError);
});

Deno.test("fromErrno() picks asyncio's subclass for each errno", () => {
  assert.ok(fromErrno(errnoOf("ECONNREFUSED"), "connect") instanceof OSError);
  assert.equal(
    fromErrno(errnoOf("ECONNREFUSED"), "connect").name,
    "ConnectionRefusedError",
  );
  assert.equal(
    fromErrno(errnoOf("ECONNRESET"), "recv").name,
    "ConnectionResetError",
  );
  assert.equal(fromErrno(errnoOf("ENOENT"), "open").name, "FileNotFoundError");
  assert.equal(fromErrno(errnoOf("EACCES"), "open").name, "PermissionError");
  assert.ok(fromErrno(errnoOf("ETIMEDOUT"), "connect") instanceof TimeoutError);
  assert.equal(errnoName(99999), "E99999");
});

Deno.test("TimeoutError() without arguments is ETIMEDOUT", () => {
  const e = new TimeoutError();
  assert.equal(e.code, "ETIMEDOUT");
  assert.ok(e instanceof OSError);
});

Deno.test("eventfd() counts signals on Linux", {
  ignore: Deno.build.os !== "linux",
}, () =>
  noLeak(() => {
    const fd = eventfd();
    write(fd, new Uint8Array(new BigUint64Array([2n]).buffer));
    const buf = new BigUint64Array(1);
    read(fd, new Uint8Array(buf.buffer));
    assert.equal(buf[0], 2n);
    close(fd);
  }));

Deno.test("Wakeup.signal() twice then drain() leaves it quiet", () =>
  noLeak(() => {
    using w = new Wakeup();
    w.signal();
    w.signal();
    w.drain();
    w.drain();
    assert.throws(() => read(w.fd, new Uint8Array(8)), BlockingIOError);
  }));

Deno.test("Wakeup.signal() after close() is a clear error", () => {
  const w = new Wakeup();
  w.close();
  w.close();
  assert.throws(() => w.signal(), /closed/);
});
