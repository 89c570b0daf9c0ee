/**
 * Small file-descriptor helpers over libc: pipes, socket pairs, eventfd,
 * read, write, close, blocking mode. Every failure is a typed `OSError`;
 * `EINTR` is retried.
 *
 * @module
 */

import { errno, fcntl, libc, os } from "./_libc.ts";
import { check, EAGAIN, EINTR, retry } from "./_syscall.ts";
import { fromErrno } from "./errors.ts";

const LINUX = os === "linux" || os === "android";
// <fcntl.h>, <sys/socket.h>, <sys/eventfd.h>. O_NONBLOCK is 4 on every BSD;
// O_CLOEXEC differs on each (macOS 0x1000000, FreeBSD 0x100000, NetBSD
// 0x400000).
const O_NONBLOCK = LINUX ? 0o4000 : 0x4;
const O_CLOEXEC = LINUX
  ? 0o2000000
  : os === "darwin"
  ? 0x1000000
  : os === "freebsd"
  ? 0x100000
  : 0x400000;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000; // Linux only
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;

/**
 * Options of {@linkcode pipe} and {@linkcode socketPair}.
 *
 * @example A non-blocking pipe
 * ```ts
 * import { close, type FdOptions, pipe } from "./mod.ts";
 * const opts: FdOptions = { nonblocking: true };
 * const [r, w] = pipe(opts);
 * close(r);
 * close(w);
 * ```
 */
export interface FdOptions {
  /** Make both ends non-blocking (default false). */
  nonblocking?: boolean;
}

function checkFd(fd: number, action: string): void {
  if (!Number.isInteger(fd) || fd < 0) {
    throw new RangeError(
      `Cannot ${action}: fd must be a non-negative integer, got ${String(fd)}`,
    );
  }
}

/**
 * A pipe: `[readEnd, writeEnd]`, close-on-exec.
 *
 * @example Bytes through a pipe
 * ```ts
 * import { close, pipe, read, write } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [r, w] = pipe();
 * write(w, new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(8);
 * assert.equal(read(r, buf), 2);
 * close(r);
 * close(w);
 * ```
 */
export function pipe(options?: FdOptions): [number, number] {
  const fds = new Int32Array(2);
  const { pipe2, pipe: pipe1 } = libc();
  const flags = O_CLOEXEC | (options?.nonblocking ? O_NONBLOCK : 0);
  if (pipe2 !== null && pipe2 !== undefined) {
    retry(() => pipe2(fds, flags), "pipe2");
  } else {
    retry(() => pipe1(fds), "pipe");
    for (const fd of fds) {
      setCloexec(fd);
      if (options?.nonblocking) setBlocking(fd, false);
    }
  }
  return [fds[0], fds[1]];
}

/**
 * A connected pair of AF_UNIX stream sockets, close-on-exec.
 *
 * @example Bytes through a socket pair
 * ```ts
 * import { close, read, socketPair, write } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = socketPair();
 * write(a, new Uint8Array([1, 2, 3]));
 * assert.equal(read(b, new Uint8Array(3)), 3);
 * close(a);
 * close(b);
 * ```
 */
export function socketPair(options?: FdOptions): [number, number] {
  const fds = new Int32Array(2);
  const type = SOCK_STREAM | (LINUX ? SOCK_CLOEXEC : 0);
  retry(() => libc().socketpair(AF_UNIX, type, 0, fds), "socketpair");
  for (const fd of fds) {
    if (!LINUX) setCloexec(fd);
    if (options?.nonblocking) setBlocking(fd, false);
  }
  return [fds[0], fds[1]];
}

/**
 * A Linux eventfd (non-blocking, close-on-exec), counter starting at 0.
 *
 * @throws {Error} on systems without eventfd.
 *
 * @example An eventfd on Linux
 * ```ts
 * import { close, eventfd } from "./mod.ts";
 * if (Deno.build.os === "linux") close(eventfd());
 * ```
 */
export function eventfd(): number {
  const fn = libc().eventfd;
  if (!LINUX || fn === null || fn === undefined) {
    throw new Error(
      "Cannot create an eventfd: it exists on Linux only, use pipe() elsewhere",
    );
  }
  return retry(() => fn(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
}

/**
 * Close `fd`.
 *
 * @throws {OSError} EBADF if it is not open.
 *
 * @example Closing both ends
 * ```ts
 * import { close, pipe } from "./mod.ts";
 * const [r, w] = pipe();
 * close(r);
 * close(w);
 * ```
 */
export function close(fd: number): void {
  checkFd(fd, "close");
  // Not retried on EINTR: on Linux the fd is released even then.
  check(libc().close(fd), "close", fd);
}

/**
 * Read into `buf`; returns the byte count, 0 at end of file.
 *
 * @throws {BlockingIOError} on a non-blocking fd with nothing to read.
 *
 * @example Reading end of file
 * ```ts
 * import { close, pipe, read } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [r, w] = pipe();
 * close(w);
 * assert.equal(read(r, new Uint8Array(4)), 0); // EOF
 * close(r);
 * ```
 */
export function read(fd: number, buf: Uint8Array): number {
  checkFd(fd, "read");
  checkBuffer(buf, "read");
  const n = readOrAgain(fd, buf);
  if (n === -1) throw fromErrno(EAGAIN, "read", fd);
  return n;
}

/**
 * Write from `buf`; returns the byte count written (possibly partial).
 *
 * @throws {BlockingIOError} on a non-blocking fd whose buffer is full.
 * @throws {BrokenPipeError} when the reading end is closed.
 *
 * @example Writing to a pipe
 * ```ts
 * import { close, pipe, write } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [r, w] = pipe();
 * assert.equal(write(w, new Uint8Array(10)), 10);
 * close(r);
 * close(w);
 * ```
 */
export function write(fd: number, buf: Uint8Array): number {
  checkFd(fd, "write");
  checkBuffer(buf, "write");
  const n = writeOrAgain(fd, buf);
  if (n === -1) throw fromErrno(EAGAIN, "write", fd);
  return n;
}

function checkBuffer(buf: unknown, action: string): void {
  if (!(buf instanceof Uint8Array)) {
    let got: string;
    if (buf === null) got = "null";
    else if (typeof buf === "object") {
      got = `an object (${Object.prototype.toString.call(buf).slice(8, -1)})`;
    } else if (typeof buf === "string") {
      got = `${JSON.stringify(buf)} (a string)`;
    } else got = String(buf);
    throw new TypeError(
      `Cannot ${action}: buffer must be a Uint8Array, got ${got}`,
    );
  }
}

/**
 * `read(2)` for hot paths: the byte count, 0 at EOF, or -1 for EAGAIN
 * instead of a thrown `BlockingIOError` (an Error captures a stack, which
 * costs more than the syscall). Other errors throw; EINTR is retried.
 * @internal
 */
export function readOrAgain(fd: number, buf: Uint8Array): number {
  const { read: sysRead } = libc();
  // ssize_t is declared i32 in the symbol table: ask for at most 2 GiB - 1.
  // The size_t count is a BigInt: a number there leaves V8's fast FFI path
  // (measured: ~20% slower per call than allocating the BigInt).
  const len = buf.byteLength > 0x7fffffff ? 0x7fffffff : buf.byteLength;
  for (;;) {
    const n = sysRead(fd, buf, BigInt(len));
    if (n !== -1) return n;
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "read", fd);
  }
}

/**
 * `write(2)` for hot paths: the byte count, or -1 for EAGAIN (see
 * `readOrAgain`). Other errors throw; EINTR is retried.
 * @internal
 */
export function writeOrAgain(fd: number, buf: Uint8Array): number {
  const { write: sysWrite } = libc();
  const len = buf.byteLength > 0x7fffffff ? 0x7fffffff : buf.byteLength;
  for (;;) {
    const n = sysWrite(fd, buf, BigInt(len));
    if (n !== -1) return n;
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "write", fd);
  }
}

/**
 * Put `fd` in blocking (true) or non-blocking (false) mode.
 *
 * @example A read that fails fast
 * ```ts
 * import { BlockingIOError } from "../mod.ts";
 * import { close, pipe, read, setBlocking } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [r, w] = pipe();
 * setBlocking(r, false);
 * assert.throws(() => read(r, new Uint8Array(1)), BlockingIOError);
 * close(r);
 * close(w);
 * ```
 */
export function setBlocking(fd: number, blocking: boolean): void {
  checkFd(fd, "set blocking mode");
  const flags = check(fcntl(fd, F_GETFL, 0), "fcntl", fd);
  const next = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
  if (next !== flags) check(fcntl(fd, F_SETFL, next), "fcntl", fd);
}

function setCloexec(fd: number): void {
  check(fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl", fd);
}

/**
 * Throw `OSError` EBADF (as `register`) unless `fd` is open: select and poll
 * would only notice at the next wait, epoll and kqueue notice at once.
 * @internal
 */
export function checkOpenFd(fd: number, action: string): void {
  if (fcntl(fd, F_GETFD, 0) === -1) throw fromErrno(errno(), action, fd);
}
