/**
 * `Socket`: our socket object, the counterpart of Python's `socket.socket`
 * for use with the loop's `sock*` coroutines and transports. It is created
 * non-blocking and close-on-exec (asyncio wants non-blocking sockets), owns
 * its fd, and closes it exactly once.
 *
 * @module
 */

import { setBlocking as setFdBlocking } from "../poll/fd.ts";
import { errnoOf, fromErrno, OSError, strerror } from "../poll/errors.ts";
import { encodeSockaddr } from "../poll/sockaddr.ts";
import {
  acceptOrAgain,
  bind,
  closeQuietly,
  connectStart,
  getpeername,
  getsockname,
  getsockoptBytes,
  getsockoptInt,
  listen,
  recvOrAgain,
  sendOrAgain,
  setsockoptBytes,
  setsockoptInt,
  shutdown,
  socket,
  socketFamily,
} from "../poll/socket.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../poll/socket_constants.ts";
import type { SocketAddress } from "./types.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _wrap: typeof netKeys._wrap = netKeys._wrap;

const EAGAIN = errnoOf("EAGAIN");
let wrapping = false;
const EINPROGRESS = errnoOf("EINPROGRESS");

/**
 * Options of {@linkcode Socket}.
 *
 * @example
 * ```ts
 * import { AF_INET, Socket, SOCK_DGRAM, type SocketOptions } from "../mod.ts";
 * const opts: SocketOptions = { family: AF_INET, type: SOCK_DGRAM };
 * using s = new Socket(opts);
 * ```
 */
export interface SocketOptions {
  /** AF_INET (default), AF_INET6 or AF_UNIX. */
  family?: number;
  /** SOCK_STREAM (default) or SOCK_DGRAM. */
  type?: number;
  /** Protocol (0: the family's default). */
  proto?: number;
  /**
   * Adopt this open fd instead of creating a socket: family and type are
   * read from the kernel; the fd is made non-blocking and becomes ours to
   * close.
   */
  fileno?: number;
}

/**
 * A socket: family, type, fd, and the operations of Python's socket object
 * (`bind`, `listen`, `connect`, `accept`, options, names, `recv`/`send`,
 * `shutdown`, `close`). Non-blocking: operations that would wait throw
 * `BlockingIOError`; use the loop's `sock*` coroutines to wait.
 *
 * @example A listening socket on an ephemeral port
 * ```ts
 * import { Socket } from "../mod.ts";
 * import assert from "node:assert/strict";
 * using s = new Socket();
 * s.bind(["127.0.0.1", 0]);
 * s.listen();
 * const [host, port] = s.getsockname() as [string, number];
 * assert.equal(host, "127.0.0.1");
 * assert.ok(port > 0);
 * ```
 */
export class Socket implements Disposable {
  /** Address family. */
  readonly family: number;
  /** Socket type (SOCK_STREAM, SOCK_DGRAM). */
  readonly type: number;
  /** Protocol number. */
  readonly proto: number;
  #fd: number;
  #blocking = false;

  /**
   * Create a socket, or adopt `options.fileno`.
   *
   * @throws {RangeError} for a family or type we do not support.
   * @throws {OSError} when the OS refuses (EMFILE, EAFNOSUPPORT).
   */
  constructor(options: SocketOptions = {}) {
    if (options.fileno !== undefined) {
      const fd = options.fileno;
      if (wrapping) {
        // From accept4/socket of ours: already non-blocking and CLOEXEC.
        this.family = options.family!;
        this.type = options.type!;
        this.proto = options.proto ?? 0;
        this.#fd = fd;
        return;
      }
      if (!Number.isInteger(fd) || fd < 0) {
        throw new RangeError(
          `Cannot adopt a socket: fd must be a non-negative integer, got ${fd}`,
        );
      }
      this.family = options.family ?? socketFamily(fd);
      this.type = options.type ?? getsockoptInt(fd, SOL_SOCKET, SO_TYPE);
      this.proto = options.proto ?? 0;
      setFdBlocking(fd, false);
      this.#fd = fd;
      return;
    }
    const family = options.family ?? AF_INET;
    const type = options.type ?? SOCK_STREAM;
    checkFamily(family, "create a socket");
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_RAW) {
      throw new RangeError(
        `Cannot create a socket: type must be SOCK_STREAM or SOCK_DGRAM, got ${type}`,
      );
    }
    this.family = family;
    this.type = type;
    this.proto = options.proto ?? 0;
    this.#fd = socket(family, type, this.proto);
  }

  /** The fd, or -1 once closed or detached. */
  get fd(): number {
    return this.#fd;
  }

  /** The fd, or -1 once closed or detached (as Python). */
  fileno(): number {
    return this.#fd;
  }

  /** Whether the socket was closed or detached. */
  get closed(): boolean {
    return this.#fd === -1;
  }

  /** Close the fd. Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd === -1) return;
    this.#fd = -1;
    closeQuietly(fd);
  }

  /** Give up the fd without closing it; returns it. */
  detach(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  /** Closes the socket. */
  [Symbol.dispose](): void {
    this.close();
  }

  #open(action: string): number {
    if (this.#fd === -1) {
      throw new OSError(
        errnoOf("EBADF"),
        `Cannot ${action}: the socket is closed`,
      );
    }
    return this.#fd;
  }

  /**
   * Bind to a local address (numeric host, or a Unix path).
   * @throws {TypeError} / {RangeError} for a bad address; {OSError} e.g.
   *   EADDRINUSE, with the address in the message.
   */
  bind(address: SocketAddress): void {
    const fd = this.#open("bind");
    const sa = encodeSockaddr(this.family, address);
    try {
      bind(fd, sa);
    } catch (err) {
      throw withAddress(err, "bind on address", address);
    }
  }

  /** Listen with a queue of `backlog` pending connections (default 128). */
  listen(backlog = 128): void {
    listen(this.#open("listen"), backlog);
  }

  /**
   * Start connecting. A non-blocking TCP socket throws `BlockingIOError`
   * (EINPROGRESS); `loop.sockConnect` is the way to wait.
   */
  connect(address: SocketAddress): void {
    const fd = this.#open("connect");
    if (!connectStart(fd, encodeSockaddr(this.family, address))) {
      throw fromErrno(EINPROGRESS, "connect", fd);
    }
  }

  /**
   * Accept a pending connection: `[socket, peerAddress]`.
   * @throws {BlockingIOError} when none is pending.
   */
  accept(): [Socket, SocketAddress] {
    const fd = this.#open("accept");
    const peer: { addr: SocketAddress } = { addr: "" };
    const n = acceptOrAgain(fd, peer);
    if (n === -1) throw fromErrno(EAGAIN, "accept", fd);
    return [Socket[_wrap](n, this.family, this.type), peer.addr];
  }

  /** The local address. */
  getsockname(): SocketAddress {
    return getsockname(this.#open("get the socket name"));
  }

  /** The peer's address. @throws {OSError} ENOTCONN when not connected. */
  getpeername(): SocketAddress {
    return getpeername(this.#open("get the peer name"));
  }

  /** Set an option: an int (booleans as 0/1) or raw bytes. */
  setsockopt(
    level: number,
    option: number,
    value: number | boolean | Uint8Array,
  ): void {
    const fd = this.#open("set an option");
    if (value instanceof Uint8Array) setsockoptBytes(fd, level, option, value);
    else setsockoptInt(fd, level, option, Number(value));
  }

  /** An option: an int, or `buflen` raw bytes when given. */
  getsockopt(level: number, option: number): number;
  /** An option as at most `buflen` bytes. */
  getsockopt(level: number, option: number, buflen: number): Uint8Array;
  getsockopt(
    level: number,
    option: number,
    buflen?: number,
  ): number | Uint8Array {
    const fd = this.#open("get an option");
    return buflen === undefined
      ? getsockoptInt(fd, level, option)
      : getsockoptBytes(fd, level, option, buflen);
  }

  /** Blocking (true) or non-blocking (false, the default) mode. */
  setBlocking(flag: boolean): void {
    setFdBlocking(this.#open("set blocking mode"), flag);
    this.#blocking = flag;
  }

  /** Whether the socket is in blocking mode. */
  getBlocking(): boolean {
    return this.#blocking;
  }

  /**
   * Receive at most `n` bytes now (empty at EOF).
   * @throws {BlockingIOError} when nothing is there.
   */
  recv(n: number): Uint8Array {
    const fd = this.#open("receive");
    const buf = new Uint8Array(n);
    const got = recvOrAgain(fd, buf, BigInt(n));
    if (got === -1) throw fromErrno(EAGAIN, "recv", fd);
    return buf.subarray(0, got);
  }

  /**
   * Send what fits now: the count sent.
   * @throws {BlockingIOError} when nothing fits.
   */
  send(data: Uint8Array): number {
    const fd = this.#open("send");
    const n = sendOrAgain(fd, data);
    if (n === -1) throw fromErrno(EAGAIN, "send", fd);
    return n;
  }

  /** Shut down the read (SHUT_RD), write (SHUT_WR) or both sides. */
  shutdown(how: number): void {
    shutdown(this.#open("shut down"), how);
  }

  /**
   * Wrap an fd we just made non-blocking and close-on-exec (no syscall).
   * @internal
   * @ignore
   */
  static [_wrap](fd: number, family: number, type: number): Socket {
    wrapping = true;
    try {
      return new Socket({ fileno: fd, family, type });
    } finally {
      wrapping = false;
    }
  }

  /** For the console. */
  toString(): string {
    return `Socket(fd=${this.#fd}, family=${this.family}, type=${this.type})`;
  }
}

/**
 * Throw a RangeError unless `family` is one we support.
 * @internal
 */
export function checkFamily(family: unknown, action: string): void {
  if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) {
    throw new RangeError(
      `Cannot ${action}: family must be AF_INET, AF_INET6 or AF_UNIX, got ${
        String(family)
      }`,
    );
  }
}

/**
 * `err` (a typed OSError) with the address in its message, as asyncio's
 * "error while attempting to bind on address ...".
 * @internal
 */
export function withAddress(
  err: unknown,
  what: string,
  address: SocketAddress,
): unknown {
  if (!(err instanceof OSError)) return err;
  const shown = typeof address === "string"
    ? JSON.stringify(address)
    : address.length === 2
    ? `${address[0]}:${address[1]}`
    : `[${address[0]}]:${address[1]}`;
  const typed = fromErrno(err.errno, err.syscall ?? "", err.fd);
  typed.message = `Cannot ${what} ${shown}: ${err.code} (${
    strerror(err.errno)
  })`;
  return typed;
}
