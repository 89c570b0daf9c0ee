/**
 * The loop's low-level socket coroutines (`loop.sockRecv`, `sockRecvInto`,
 * `sockRecvfrom`, `sockRecvfromInto`, `sockSendall`, `sockSendto`,
 * `sockConnect`, `sockAccept`, `sockSendfile`), asyncio's: each tries the
 * syscall at once and waits for readiness only when it would block. Each
 * returns a Future, awaitable with `yield*` (generator coroutines) or
 * `await`; cancelling it stops watching the fd and loses no data.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { errnoOf, fromErrno } from "../poll/errors.ts";
import { errno, libc, os } from "../poll/_libc.ts";
import { encodeSockaddr, inetPton } from "../poll/sockaddr.ts";
import {
  acceptOrAgain,
  connectStart,
  recvfromOrAgain,
  recvOrAgain,
  sendOrAgain,
  sendtoOrAgain,
  socketError,
} from "../poll/socket.ts";
import { AF_INET, AF_INET6 } from "../poll/socket_constants.ts";
import { fileno } from "../poll/fileno.ts";
import type { FileObject } from "../poll/types.ts";
import type { NetLoop } from "./_loop.ts";
import { resolveFirst } from "./resolve.ts";
import { Socket, withAddress } from "./socket.ts";
import { keepTarget, receiveTarget, receiveTargetLen } from "./_received.ts";
import { READ_SIZE } from "./stream_transport.ts";
import type { SocketAddress } from "./types.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _wrap: typeof netKeys._wrap = netKeys._wrap;

const AGAIN: unique symbol = Symbol("again");
type Attempt<T> = () => T | typeof AGAIN;

/**
 * A Future of `attempt()`, retried whenever `fd` is ready (for reading, or
 * for writing when `write`) until it returns something other than AGAIN.
 */
function ioFuture<T>(
  loop: NetLoop,
  fd: number,
  write: boolean,
  attempt: Attempt<T>,
): Future<T> {
  const fut = loop.createFuture<T>();
  let first: T | typeof AGAIN;
  try {
    first = attempt();
  } catch (err) {
    fut.setException(err);
    return fut;
  }
  if (first !== AGAIN) {
    fut.setResult(first);
    return fut;
  }
  waitIo(loop, fd, write, fut, attempt);
  return fut;
}

function waitIo<T>(
  loop: NetLoop,
  fd: number,
  write: boolean,
  fut: Future<T>,
  attempt: Attempt<T>,
): void {
  let watching = true;
  const stop = (): void => {
    if (!watching) return;
    watching = false;
    if (write) loop.removeWriter(fd);
    else loop.removeReader(fd);
  };
  const ready = (): void => {
    if (fut.done()) {
      stop();
      return;
    }
    let r: T | typeof AGAIN;
    try {
      r = attempt();
    } catch (err) {
      stop();
      fut.setException(err);
      return;
    }
    if (r === AGAIN) return;
    stop();
    fut.setResult(r);
  };
  if (write) loop.addWriter(fd, ready);
  else loop.addReader(fd, ready);
  fut.addDoneCallback(stop);
}

function nonBlockingFd(sock: Socket, action: string): number {
  if (!(sock instanceof Socket)) {
    throw new TypeError(`Cannot ${action}: expected a Socket`);
  }
  if (sock.getBlocking()) {
    throw new TypeError(
      `Cannot ${action}: the socket must be non-blocking, call setBlocking(false)`,
    );
  }
  const fd = sock.fileno();
  if (fd === -1) {
    throw fromErrno(errnoOf("EBADF"), action === "" ? "use" : action);
  }
  return fd;
}

function checkBuffer(buf: unknown, action: string): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action}: expected a Uint8Array`);
  }
}

/**
 * Receive at most `nbytes` from `sock` (an empty array at EOF).
 *
 * @example Receiving from a socket pair
 * ```ts
 * import { getRunningLoop, run, Socket } from "../mod.ts";
 * import { socketPair } from "../poll/mod.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = socketPair({ nonblocking: true });
 * using sa = new Socket({ fileno: a });
 * using sb = new Socket({ fileno: b });
 * const got = await run(function* () {
 *   const loop = getRunningLoop();
 *   loop.callLater(0.005, () => sb.send(new Uint8Array([1, 2, 3])));
 *   return yield* loop.sockRecv(sa, 10); // waits for the data
 * });
 * assert.deepEqual(got, new Uint8Array([1, 2, 3]));
 * ```
 */
export function sockRecv(
  loop: NetLoop,
  sock: Socket,
  nbytes: number,
): Future<Uint8Array> {
  const fd = nonBlockingFd(sock, "receive");
  checkSize(nbytes, "receive");
  // Receive into the thread's shared receive slab and keep only what came:
  // no nbytes-sized allocation per call (64 KiB for a typical server).
  if (nbytes <= READ_SIZE) {
    return ioFuture(loop, fd, false, () => {
      // The target is taken at the receive: other receives run between.
      const target = receiveTarget(nbytes);
      const n = recvOrAgain(fd, target, receiveTargetLen());
      return n === -1 ? AGAIN : keepTarget(n);
    });
  }
  const buf = new Uint8Array(nbytes);
  const len = BigInt(nbytes);
  return ioFuture(loop, fd, false, () => {
    const n = recvOrAgain(fd, buf, len);
    if (n === -1) return AGAIN;
    return n !== nbytes ? buf.slice(0, n) : buf;
  });
}

function checkSize(n: unknown, action: string): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new RangeError(
      `Cannot ${action}: size must be a non-negative integer, got ${String(n)}`,
    );
  }
}

/** Receive into `buf`: the byte count (0 at EOF). */
export function sockRecvInto(
  loop: NetLoop,
  sock: Socket,
  buf: Uint8Array,
): Future<number> {
  const fd = nonBlockingFd(sock, "receive");
  checkBuffer(buf, "receive");
  const len = BigInt(buf.length);
  return ioFuture(loop, fd, false, () => {
    const n = recvOrAgain(fd, buf, len);
    return n === -1 ? AGAIN : n;
  });
}

/** Receive one datagram of at most `bufsize` bytes: `[data, address]`. */
export function sockRecvfrom(
  loop: NetLoop,
  sock: Socket,
  bufsize: number,
): Future<[Uint8Array, SocketAddress]> {
  const fd = nonBlockingFd(sock, "receive");
  checkSize(bufsize, "receive");
  const buf = new Uint8Array(bufsize);
  const from: { addr: SocketAddress } = { addr: "" };
  return ioFuture(loop, fd, false, () => {
    const n = recvfromOrAgain(fd, buf, from);
    if (n === -1) return AGAIN;
    return [buf.slice(0, n), from.addr];
  });
}

/**
 * Receive one datagram into `buf` (at most `nbytes`, 0: all of `buf`):
 * `[count, address]`.
 */
export function sockRecvfromInto(
  loop: NetLoop,
  sock: Socket,
  buf: Uint8Array,
  nbytes = 0,
): Future<[number, SocketAddress]> {
  const fd = nonBlockingFd(sock, "receive");
  checkBuffer(buf, "receive");
  checkSize(nbytes, "receive");
  const into = nbytes === 0 || nbytes >= buf.length
    ? buf
    : buf.subarray(0, nbytes);
  const from: { addr: SocketAddress } = { addr: "" };
  return ioFuture(loop, fd, false, () => {
    const n = recvfromOrAgain(fd, into, from);
    return n === -1 ? AGAIN : [n, from.addr];
  });
}

/**
 * Send all of `data`, waiting as needed. What is not sent at once is copied,
 * so the caller may reuse `data` as soon as this returns.
 */
export function sockSendall(
  loop: NetLoop,
  sock: Socket,
  data: Uint8Array,
): Future<void> {
  const fd = nonBlockingFd(sock, "send");
  checkBuffer(data, "send");
  let rest = data;
  let copied = false;
  return ioFuture(loop, fd, true, () => {
    while (rest.length > 0) {
      const n = sendOrAgain(fd, rest);
      if (n === -1) {
        if (!copied) {
          rest = rest.slice();
          copied = true;
        }
        return AGAIN;
      }
      rest = rest.subarray(n);
    }
    return undefined;
  });
}

/** Send one datagram to `address`: the byte count. */
export function sockSendto(
  loop: NetLoop,
  sock: Socket,
  data: Uint8Array,
  address: SocketAddress,
): Future<number> {
  const fd = nonBlockingFd(sock, "send");
  checkBuffer(data, "send");
  const sa = encodeSockaddr(sock.family, address);
  const copy = data.slice();
  return ioFuture(loop, fd, true, () => {
    const n = sendtoOrAgain(fd, copy, sa);
    return n === -1 ? AGAIN : n;
  });
}

/**
 * Connect `sock` to `address`; a host name (only `localhost` in our tests)
 * is resolved first. Errors name the address (ConnectionRefusedError
 * "Cannot connect to 127.0.0.1:1: ECONNREFUSED ...").
 */
export function sockConnect(
  loop: NetLoop,
  sock: Socket,
  address: SocketAddress,
): Future<void> {
  const fd = nonBlockingFd(sock, "connect");
  if (
    Array.isArray(address) &&
    (sock.family === AF_INET || sock.family === AF_INET6) &&
    inetPton(sock.family, address[0]) === null
  ) {
    return resolveThenConnect(loop, sock, address);
  }
  const sa = encodeSockaddr(sock.family, address);
  const fut = loop.createFuture<void>();
  try {
    if (connectStart(fd, sa)) {
      fut.setResult(undefined);
      return fut;
    }
  } catch (err) {
    fut.setException(withAddress(err, "connect to", address));
    return fut;
  }
  waitIo(loop, fd, true, fut, () => {
    const e = socketError(fd);
    if (e !== 0) {
      throw withAddress(fromErrno(e, "connect", fd), "connect to", address);
    }
    return undefined;
  });
  return fut;
}

function resolveThenConnect(
  loop: NetLoop,
  sock: Socket,
  address: [string, number] | [string, number, number, number],
): Future<void> {
  const fut = loop.createFuture<void>();
  const resolved = resolveFirst(
    loop,
    address[0],
    address[1],
    sock.family,
    sock.type,
  );
  resolved.addDoneCallback((r) => {
    if (fut.done()) return;
    if (r.cancelled()) {
      fut.cancel();
      return;
    }
    const exc = r.exception();
    if (exc !== null && exc !== undefined) {
      fut.setException(exc);
      return;
    }
    const inner = sockConnect(loop, sock, r.result());
    inner.addDoneCallback((c) => {
      if (fut.done()) return;
      const e = c.cancelled() ? null : c.exception();
      if (c.cancelled()) fut.cancel();
      else if (e !== null && e !== undefined) fut.setException(e);
      else fut.setResult(undefined);
    });
    fut.addDoneCallback(() => {
      if (fut.cancelled()) inner.cancel();
    });
  });
  fut.addDoneCallback(() => {
    if (fut.cancelled()) resolved.cancel();
  });
  return fut;
}

/** Accept a connection on a listening `sock`: `[socket, peerAddress]`. */
export function sockAccept(
  loop: NetLoop,
  sock: Socket,
): Future<[Socket, SocketAddress]> {
  const fd = nonBlockingFd(sock, "accept");
  const peer: { addr: SocketAddress } = { addr: "" };
  return ioFuture(loop, fd, false, () => {
    const n = acceptOrAgain(fd, peer);
    if (n === -1) return AGAIN;
    return [Socket[_wrap](n, sock.family, sock.type), peer.addr];
  });
}

const LINUX = os === "linux" || os === "android";
const EAGAIN = errnoOf("EAGAIN");
const EINTR = errnoOf("EINTR");
const CHUNK = 0x7ffff000;

/**
 * Send `count` bytes (null: to the end) of the open file `file` (an fd or an
 * object with `fileno()`) from `offset`, with `sendfile(2)`: the bytes sent.
 * The file's own position is not moved.
 *
 * @throws {Error} on systems other than Linux (not implemented there yet).
 */
export function sockSendfile(
  loop: NetLoop,
  sock: Socket,
  file: FileObject,
  offset = 0,
  count: number | null = null,
): Future<number> {
  const fd = nonBlockingFd(sock, "send a file");
  const inFd = fileno(file, "send a file");
  checkSize(offset, "send a file");
  if (count !== null) checkSize(count, "send a file");
  const sys = libc().sendfile;
  if (!LINUX || sys === null || sys === undefined) {
    throw new Error(
      `Cannot send a file: sendfile() is implemented on Linux only, read the file and use sockSendall() on ${os}`,
    );
  }
  const off = new BigInt64Array([BigInt(offset)]);
  const offBytes = new Uint8Array(off.buffer);
  let sent = 0;
  return ioFuture(loop, fd, true, () => {
    for (;;) {
      const want = count === null ? CHUNK : Math.min(CHUNK, count - sent);
      if (want === 0) return sent;
      const n = sys(fd, inFd, offBytes, BigInt(want));
      if (n === 0) return sent;
      if (n > 0) {
        sent += n;
        continue;
      }
      const e = errno();
      if (e === EAGAIN) return AGAIN;
      if (e !== EINTR) throw fromErrno(e, "sendfile", fd);
    }
  });
}
