import assert from "node:assert/strict";
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  errnoName,
  errnoOf,
  FileNotFoundError,
  fromErrno,
  InterruptedError,
  OSError,
  PermissionError,
  strerror,
  TimeoutError,
} from "../../poll/mod.ts";
import { LINUX, test } from "./_helpers.ts";

test("fromErrno() picks Python's subclass for each errno", () => {
  const cases: Array<[string, new (...a: never[]) => OSError]> = [
    ["EAGAIN", BlockingIOError],
    ["EINPROGRESS", BlockingIOError],
    ["EALREADY", BlockingIOError],
    ["EPIPE", BrokenPipeError],
    ["ESHUTDOWN", BrokenPipeError],
    ["ECONNREFUSED", ConnectionRefusedError],
    ["ECONNRESET", ConnectionResetError],
    ["ECONNABORTED", ConnectionAbortedError],
    ["ENOENT", FileNotFoundError],
    ["EACCES", PermissionError],
    ["EPERM", PermissionError],
    ["EINTR", InterruptedError],
    ["ETIMEDOUT", TimeoutError],
    ["EBADF", OSError],
    ["EINVAL", OSError],
  ];
  for (const [code, Cls] of cases) {
    const err = fromErrno(errnoOf(code), "connect", 7);
    assert.equal(err.constructor, Cls, code);
    assert.ok(err instanceof OSError && err instanceof Error);
    assert.equal(err.name, Cls.name);
    assert.equal(err.code, code);
    assert.equal(err.errno, errnoOf(code));
  }
});

test("fromErrno() names the call and the fd in the message", () => {
  const err = fromErrno(errnoOf("EBADF"), "epoll_ctl", 7);
  assert.equal(
    err.message,
    "epoll_ctl(fd 7) failed: EBADF (Bad file descriptor)",
  );
  assert.equal(err.syscall, "epoll_ctl");
  assert.equal(err.fd, 7);
  const noFd = fromErrno(errnoOf("EMFILE"), "epoll_create1");
  assert.equal(
    noFd.message,
    "epoll_create1() failed: EMFILE (Too many open files)",
  );
  assert.equal(noFd.fd, undefined);
});

test("errnoOf() uses this OS's numbers", () => {
  assert.equal(errnoOf("EBADF"), 9);
  assert.equal(errnoOf("EAGAIN"), LINUX ? 11 : 35);
  assert.equal(errnoOf("ETIMEDOUT"), LINUX ? 110 : 60);
  assert.throws(
    () => errnoOf("ENOPE"),
    new RangeError("Unknown errno name: ENOPE"),
  );
});

test("errnoName() and strerror() name an errno, or say it is unknown", () => {
  assert.equal(errnoName(errnoOf("ECONNREFUSED")), "ECONNREFUSED");
  assert.equal(strerror(errnoOf("ECONNREFUSED")), "Connection refused");
  assert.equal(errnoName(99999), "E99999");
  assert.equal(strerror(99999), "Unknown error 99999");
  const err = new OSError(99999);
  assert.equal(err.message, "E99999 (Unknown error 99999)");
});

test("OSError() takes a message, a syscall, an fd and a cause", () => {
  const cause = new Error("inner");
  const err = new OSError(errnoOf("EIO"), "disk trouble", {
    syscall: "read",
    fd: 3,
    cause,
  });
  assert.equal(err.message, "disk trouble");
  assert.equal(err.code, "EIO");
  assert.equal(err.syscall, "read");
  assert.equal(err.fd, 3);
  assert.equal(err.cause, cause);
  assert.equal(err.name, "OSError");
});

test("TimeoutError() without arguments or with a message is ETIMEDOUT", () => {
  for (const err of [new TimeoutError(), new TimeoutError("too slow")]) {
    assert.ok(err instanceof TimeoutError && err instanceof OSError);
    assert.equal(err.errno, errnoOf("ETIMEDOUT"));
    assert.equal(err.code, "ETIMEDOUT");
    assert.equal(err.name, "TimeoutError");
  }
  assert.equal(new TimeoutError().message, "");
  assert.equal(new TimeoutError("too slow").message, "too slow");
});

test("TimeoutError() from the OS keeps its errno, call and fd", () => {
  const err = new TimeoutError(errnoOf("ETIMEDOUT"), undefined, {
    syscall: "connect",
    fd: 4,
  });
  assert.equal(
    err.message,
    "connect(fd 4) failed: ETIMEDOUT (Connection timed out)",
  );
});

test("OSError subclasses can be caught by their parent", () => {
  try {
    throw fromErrno(errnoOf("ECONNRESET"), "recv", 5);
  } catch (err) {
    assert.ok(err instanceof OSError);
    assert.ok(!(err instanceof BrokenPipeError));
  }
});
