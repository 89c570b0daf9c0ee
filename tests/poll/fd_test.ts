import assert from "node:assert/strict";
import {
  BlockingIOError,
  BrokenPipeError,
  close,
  eventfd,
  OSError,
  pipe,
  read,
  setBlocking,
  socketPair,
  write,
} from "../../poll/mod.ts";
import { closeAll, LINUX, openFds, test } from "./_helpers.ts";
import { fcntl } from "../../poll/_libc.ts";

const F_GETFD = 1, F_GETFL = 3, FD_CLOEXEC = 1, O_NONBLOCK = 0o4000;

function flags(fd: number): { cloexec: boolean; nonblocking: boolean } {
  return {
    cloexec: (fcntl(fd, F_GETFD, 0) & FD_CLOEXEC) !== 0,
    nonblocking: (fcntl(fd, F_GETFL, 0) & O_NONBLOCK) !== 0,
  };
}

test("pipe() carries bytes from the write end to the read end", () => {
  const [r, w] = pipe();
  using _ = closeAll(r, w);
  assert.equal(write(w, new TextEncoder().encode("abc")), 3);
  const buf = new Uint8Array(8);
  const n = read(r, buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)), "abc");
});

test("pipe() makes close-on-exec ends, blocking unless asked", () => {
  const [r, w] = pipe();
  const [nr, nw] = pipe({ nonblocking: true });
  using _ = closeAll(r, w, nr, nw);
  assert.deepEqual(flags(r), { cloexec: true, nonblocking: false });
  assert.deepEqual(flags(w), { cloexec: true, nonblocking: false });
  assert.deepEqual(flags(nr), { cloexec: true, nonblocking: true });
  assert.deepEqual(flags(nw), { cloexec: true, nonblocking: true });
}, { ignore: !LINUX });

test("socketPair() connects two close-on-exec sockets both ways", () => {
  const [a, b] = socketPair();
  using _ = closeAll(a, b);
  assert.equal(write(a, new Uint8Array([1, 2, 3])), 3);
  assert.equal(write(b, new Uint8Array([4])), 1);
  const buf = new Uint8Array(4);
  assert.equal(read(b, buf), 3);
  assert.deepEqual([...buf.subarray(0, 3)], [1, 2, 3]);
  assert.equal(read(a, buf), 1);
  assert.equal(buf[0], 4);
  if (LINUX) assert.equal(flags(a).cloexec, true);
});

test("socketPair({ nonblocking: true }) reads fail fast", () => {
  const [a, b] = socketPair({ nonblocking: true });
  using _ = closeAll(a, b);
  assert.throws(() => read(a, new Uint8Array(1)), BlockingIOError);
});

test("read() on an empty non-blocking pipe throws BlockingIOError EAGAIN", () => {
  const [r, w] = pipe({ nonblocking: true });
  using _ = closeAll(r, w);
  assert.throws(
    () => read(r, new Uint8Array(1)),
    (e) =>
      e instanceof BlockingIOError && e.code === "EAGAIN" && e.fd === r &&
      e.syscall === "read",
  );
});

test("read() returns 0 at end of file", () => {
  const [r, w] = pipe();
  using _ = closeAll(r);
  write(w, new Uint8Array([5]));
  close(w);
  const buf = new Uint8Array(4);
  assert.equal(read(r, buf), 1);
  assert.equal(read(r, buf), 0);
});

test("read() into an empty buffer returns 0 without waiting", () => {
  const [r, w] = pipe();
  using _ = closeAll(r, w);
  assert.equal(read(r, new Uint8Array(0)), 0);
});

test("write() to a full non-blocking pipe writes part, then throws BlockingIOError", () => {
  const [r, w] = pipe({ nonblocking: true });
  using _ = closeAll(r, w);
  const big = new Uint8Array(1 << 20);
  const n = write(w, big);
  assert.ok(n > 0 && n < big.length);
  assert.throws(() => write(w, big), BlockingIOError);
});

test("write() to a pipe with no reader throws BrokenPipeError EPIPE", () => {
  const [r, w] = pipe();
  using _ = closeAll(w);
  close(r);
  assert.throws(
    () => write(w, new Uint8Array([1])),
    (e) => e instanceof BrokenPipeError && e.code === "EPIPE",
  );
});

test("close() of a closed fd throws OSError EBADF naming the call and fd", () => {
  const [r, w] = pipe();
  close(r);
  close(w);
  assert.throws(
    () => close(r),
    (e) =>
      e instanceof OSError && e.code === "EBADF" && e.syscall === "close" &&
      e.fd === r &&
      e.message === `close(fd ${r}) failed: EBADF (Bad file descriptor)`,
  );
});

test("read(), write(), close() and setBlocking() reject a bad fd before any syscall", () => {
  for (const bad of [-1, 1.5, NaN]) {
    assert.throws(() => read(bad, new Uint8Array(1)), RangeError);
    assert.throws(() => write(bad, new Uint8Array(1)), RangeError);
    assert.throws(() => close(bad), RangeError);
    assert.throws(() => setBlocking(bad, false), RangeError);
  }
});

test("setBlocking() switches between blocking and non-blocking", () => {
  const [a, b] = socketPair();
  using _ = closeAll(a, b);
  setBlocking(a, false);
  setBlocking(a, false); // idempotent
  assert.throws(() => read(a, new Uint8Array(1)), BlockingIOError);
  setBlocking(a, true);
  write(b, new Uint8Array([9]));
  assert.equal(read(a, new Uint8Array(1)), 1);
});

test("setBlocking() of a closed fd throws OSError EBADF", () => {
  const [r, w] = pipe();
  close(r);
  close(w);
  assert.throws(
    () => setBlocking(r, false),
    (e) => e instanceof OSError && e.code === "EBADF",
  );
});

test("eventfd() is a non-blocking counter that read() resets", () => {
  const fd = eventfd();
  using _ = closeAll(fd);
  assert.equal(flags(fd).nonblocking, true);
  write(fd, new Uint8Array(new BigUint64Array([2n]).buffer));
  write(fd, new Uint8Array(new BigUint64Array([3n]).buffer));
  const buf = new BigUint64Array(1);
  assert.equal(read(fd, new Uint8Array(buf.buffer)), 8);
  assert.equal(buf[0], 5n);
  assert.throws(() => read(fd, new Uint8Array(8)), BlockingIOError);
}, { ignore: !LINUX });

test("eventfd() is refused off Linux with a clear error", () => {
  assert.throws(() => eventfd(), /Linux only, use pipe\(\)/);
}, { ignore: LINUX });

test("pipe() and close() leave the fd table as it was", () => {
  const before = openFds();
  const [r, w] = pipe();
  assert.ok(openFds().includes(r) && openFds().includes(w));
  close(r);
  close(w);
  assert.deepEqual(openFds(), before);
});

test("read() and write() with a non-buffer say what a buffer must be", () => {
  const [r, w] = pipe();
  using _ = closeAll(r, w);
  assert.throws(
    () => write(w, undefined as never),
    (e) =>
      e instanceof TypeError &&
      /^Cannot write: buffer must be a Uint8Array, got undefined$/.test(
        e.message,
      ),
  );
  assert.throws(
    () => read(r, "abc" as never),
    /buffer must be a Uint8Array, got "abc" \(a string\)/,
  );
});
