/**
 * Socket syscalls on raw fds, typed: every fd made here is non-blocking and
 * close-on-exec (`SOCK_NONBLOCK|SOCK_CLOEXEC` and `accept4` on Linux and
 * FreeBSD, `fcntl` elsewhere); failures are typed `OSError`s; `EINTR` is
 * retried. The `...OrAgain` calls are for hot paths: they return -1 for
 * EAGAIN instead of throwing (an Error captures a stack, which costs more
 * than the syscall). Sizes are passed as bigints (FACTS §0: a number costs
 * ~110 ns more per call).
 *
 * @module
 */

import { errno, fcntl, libc, os } from "./_libc.ts";
import { addressOf } from "./_pointer.ts";
import { check, EAGAIN, EINTR, retry } from "./_syscall.ts";
import { errnoOf, fromErrno } from "./errors.ts";
import { decodeSockaddr, SOCKADDR_MAX, sockaddrFamily } from "./sockaddr.ts";
import {
  SHUT_RDWR,
  SO_ERROR,
  SO_NOSIGPIPE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from "./socket_constants.ts";
import type { SocketAddress } from "../net/types.ts";

const LINUX = os === "linux" || os === "android";
const DARWIN = os === "darwin";
const O_NONBLOCK = LINUX ? 0o4000 : 0x4;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
/** errno of EINPROGRESS on this OS. @internal */
export const EINPROGRESS: number = errnoOf("EINPROGRESS");

// Scratch space reused by every call on the JS thread (calls are
// synchronous, so nothing else uses them meanwhile).
const addrBuf = new Uint8Array(SOCKADDR_MAX);
const addrLen = new Uint32Array(1);
const intBuf = new Int32Array(1);
const intBytes = new Uint8Array(intBuf.buffer);
const MAX_IO = 0x7fffffff;

function setFlags(fd: number): void {
  check(fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl", fd);
  const fl = check(fcntl(fd, F_GETFL, 0), "fcntl", fd);
  check(fcntl(fd, F_SETFL, fl | O_NONBLOCK), "fcntl", fd);
  if (DARWIN) setsockoptInt(fd, SOL_SOCKET, SO_NOSIGPIPE, 1);
}

/**
 * A new non-blocking, close-on-exec socket.
 *
 * @throws {OSError} e.g. EAFNOSUPPORT for a family the OS lacks, EMFILE.
 * @internal
 */
export function socket(family: number, type: number, proto = 0): number {
  const { socket: sys } = libc();
  const fd = retry(
    () => sys(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto),
    "socket",
  );
  if (SOCK_CLOEXEC === 0) {
    try {
      setFlags(fd);
    } catch (err) {
      libc().close(fd);
      throw err;
    }
  }
  return fd;
}

/** Close `fd`, ignoring errors (for cleanup paths). @internal */
export function closeQuietly(fd: number): void {
  libc().close(fd);
}

/** `bind(fd, addr)`. @internal */
export function bind(fd: number, sa: Uint8Array): void {
  const { bind: sys } = libc();
  retry(() => sys(fd, sa, sa.length), "bind", fd);
}

/** `listen(fd, backlog)`. @internal */
export function listen(fd: number, backlog: number): void {
  check(libc().listen(fd, backlog), "listen", fd);
}

/**
 * Start a connect: true when connected at once, false when it is in
 * progress (EINPROGRESS, or EAGAIN for a Unix socket with a full backlog):
 * wait for writability, then read {@linkcode socketError}.
 * @internal
 */
export function connectStart(fd: number, sa: Uint8Array): boolean {
  const { connect } = libc();
  for (;;) {
    if (connect(fd, sa, sa.length) === 0) return true;
    const e = errno();
    if (e === EINPROGRESS || e === EAGAIN) return false;
    // An interrupted connect goes on in the background (connect(2)).
    if (e === EINTR) return false;
    throw fromErrno(e, "connect", fd);
  }
}

/** The pending error of `fd` (SO_ERROR), which reading clears. @internal */
export function socketError(fd: number): number {
  return getsockoptInt(fd, SOL_SOCKET, SO_ERROR);
}

/**
 * Accept one connection: the new fd (non-blocking, close-on-exec) with the
 * peer address in `peer`, or -1 when none is pending (EAGAIN).
 * @internal
 */
export function acceptOrAgain(
  fd: number,
  peer: { addr: SocketAddress },
): number {
  const { accept4, accept } = libc();
  for (;;) {
    addrLen[0] = SOCKADDR_MAX;
    const n = accept4 !== null && accept4 !== undefined
      ? accept4(fd, addrBuf, addrLen, SOCK_NONBLOCK | SOCK_CLOEXEC)
      : accept(fd, addrBuf, addrLen);
    if (n !== -1) {
      if (accept4 === null || accept4 === undefined) {
        try {
          setFlags(n);
        } catch (err) {
          libc().close(n);
          throw err;
        }
      }
      peer.addr = decodeSockaddr(addrBuf, addrLen[0]);
      return n;
    }
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "accept", fd);
  }
}

/** An int socket option. @internal */
export function getsockoptInt(fd: number, level: number, opt: number): number {
  addrLen[0] = 4;
  check(libc().getsockopt(fd, level, opt, intBytes, addrLen), "getsockopt", fd);
  return intBuf[0];
}

/** Set an int socket option. @internal */
export function setsockoptInt(
  fd: number,
  level: number,
  opt: number,
  value: number,
): void {
  intBuf[0] = value;
  check(libc().setsockopt(fd, level, opt, intBytes, 4), "setsockopt", fd);
}

/** A socket option as bytes (at most `size`). @internal */
export function getsockoptBytes(
  fd: number,
  level: number,
  opt: number,
  size: number,
): Uint8Array {
  const out = new Uint8Array(size);
  addrLen[0] = size;
  check(libc().getsockopt(fd, level, opt, out, addrLen), "getsockopt", fd);
  return out.slice(0, addrLen[0]);
}

/** Set a socket option from bytes. @internal */
export function setsockoptBytes(
  fd: number,
  level: number,
  opt: number,
  value: Uint8Array,
): void {
  check(
    libc().setsockopt(fd, level, opt, value, value.length),
    "setsockopt",
    fd,
  );
}

/** The local address of `fd`. @internal */
export function getsockname(fd: number): SocketAddress {
  addrLen[0] = SOCKADDR_MAX;
  check(libc().getsockname(fd, addrBuf, addrLen), "getsockname", fd);
  return decodeSockaddr(addrBuf, addrLen[0]);
}

/** The family of the socket `fd` (from getsockname). @internal */
export function socketFamily(fd: number): number {
  addrLen[0] = SOCKADDR_MAX;
  check(libc().getsockname(fd, addrBuf, addrLen), "getsockname", fd);
  return sockaddrFamily(addrBuf);
}

/** The peer address of `fd`. @internal */
export function getpeername(fd: number): SocketAddress {
  addrLen[0] = SOCKADDR_MAX;
  check(libc().getpeername(fd, addrBuf, addrLen), "getpeername", fd);
  return decodeSockaddr(addrBuf, addrLen[0]);
}

/**
 * `recv` into `buf[0..len)`: the byte count, 0 at EOF, -1 for EAGAIN.
 * @internal
 */
export function recvOrAgain(
  fd: number,
  buf: Uint8Array,
  len: bigint,
  flags = 0,
): number {
  const { recv } = libc();
  for (;;) {
    const n = recv(fd, buf, len, flags);
    if (n !== -1) return n;
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "recv", fd);
  }
}

/**
 * `send` of `buf` whole: the count sent (maybe partial) or -1 for EAGAIN.
 * MSG_NOSIGNAL is passed where the OS has it.
 * @internal
 */
export function sendOrAgain(fd: number, buf: Uint8Array, flags = 0): number {
  const { send } = libc();
  const len = BigInt(buf.length > MAX_IO ? MAX_IO : buf.length);
  for (;;) {
    const n = send(fd, buf, len, flags | NOSIGNAL);
    if (n !== -1) return n;
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "send", fd);
  }
}

const NOSIGNAL = LINUX ? 0x4000 : os === "freebsd" ? 0x20000 : 0;

/**
 * `recvfrom` into `buf`: the count (or -1 for EAGAIN), the sender in
 * `from.addr`.
 * @internal
 */
export function recvfromOrAgain(
  fd: number,
  buf: Uint8Array,
  from: { addr: SocketAddress },
  flags = 0,
): number {
  const { recvfrom } = libc();
  const len = BigInt(buf.length > MAX_IO ? MAX_IO : buf.length);
  for (;;) {
    addrLen[0] = SOCKADDR_MAX;
    const n = recvfrom(fd, buf, len, flags, addrBuf, addrLen);
    if (n !== -1) {
      from.addr = decodeSockaddr(addrBuf, addrLen[0]);
      return n;
    }
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "recvfrom", fd);
  }
}

/**
 * `sendto` of `buf` to `sa` (an encoded sockaddr; null: the connected
 * peer): the count or -1 for EAGAIN.
 * @internal
 */
export function sendtoOrAgain(
  fd: number,
  buf: Uint8Array,
  sa: Uint8Array | null,
  flags = 0,
): number {
  const { sendto, send } = libc();
  const len = BigInt(buf.length > MAX_IO ? MAX_IO : buf.length);
  for (;;) {
    const n = sa === null
      ? send(fd, buf, len, flags | NOSIGNAL)
      : sendto(fd, buf, len, flags | NOSIGNAL, sa, sa.length);
    if (n !== -1) return n;
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, sa === null ? "send" : "sendto", fd);
  }
}

// msghdr (56 bytes on 64-bit Linux and the BSDs): name @0, namelen u32 @8,
// iov @16, iovlen @24 (size_t on Linux, int elsewhere: the low half is the
// same), control @32, controllen @40, flags @48. iovec: base @0, len @8.
const MSGHDR = 56;

/**
 * `sendmsg` of several buffers in one call (a gathering write): the count
 * sent or -1 for EAGAIN. Costs one `addressOf` per buffer (~0.3 µs on
 * Deno), so transports coalesce their backlog instead.
 * @internal
 */
export function sendmsgOrAgain(
  fd: number,
  buffers: readonly Uint8Array[],
  sa: Uint8Array | null = null,
  flags = 0,
): number {
  const iov = new BigUint64Array(buffers.length * 2);
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i];
    iov[2 * i] = b.length === 0 ? 0n : addressOf(b);
    iov[2 * i + 1] = BigInt(b.length);
  }
  const msg = new BigUint64Array(MSGHDR / 8);
  if (sa !== null) {
    msg[0] = addressOf(sa);
    msg[1] = BigInt(sa.length);
  }
  msg[2] = addressOf(iov);
  msg[3] = BigInt(buffers.length);
  const hdr = new Uint8Array(msg.buffer);
  const { sendmsg } = libc();
  for (;;) {
    const n = sendmsg(fd, hdr, flags | NOSIGNAL);
    // The buffers must stay alive until the call returned.
    if (n !== -1) return keep(n, buffers, iov);
    const e = errno();
    if (e === EAGAIN) return -1;
    if (e !== EINTR) throw fromErrno(e, "sendmsg", fd);
  }
}

function keep(n: number, ..._alive: unknown[]): number {
  return n;
}

/** `shutdown(fd, how)`; ENOTCONN (peer already gone) is ignored. @internal */
export function shutdown(fd: number, how: number = SHUT_RDWR): void {
  if (libc().shutdown(fd, how) === -1) {
    const e = errno();
    if (e !== ENOTCONN) throw fromErrno(e, "shutdown", fd);
  }
}

const ENOTCONN = errnoOf("ENOTCONN");

/**
 * Batched datagram receive (`recvmmsg`, Linux): up to `slots` datagrams
 * into `buf` split in equal slots, with their senders. One set of
 * `mmsghdr`s per buffer, built once (pinning pointers costs ~0.3 µs each).
 * @internal
 */
export class DatagramBatch {
  /** Datagrams one call can receive. */
  readonly slots: number;
  /** Bytes of each slot in `buf`. */
  readonly slotSize: number;
  readonly #buf: Uint8Array;
  readonly #names: Uint8Array;
  readonly #mmsg: Uint8Array;
  readonly #view: DataView;
  readonly #iov: BigUint64Array;
  readonly #sys: NonNullable<ReturnType<typeof libc>["recvmmsg"]>;

  /** Slots over `buf` (which must outlive this object). */
  constructor(buf: Uint8Array, slots: number) {
    const sys = libc().recvmmsg;
    if (sys === null || sys === undefined) {
      throw new Error("Cannot batch datagrams: this libc has no recvmmsg");
    }
    this.#sys = sys;
    this.#buf = buf;
    this.slots = slots;
    this.slotSize = Math.floor(buf.length / slots);
    this.#names = new Uint8Array(SOCKADDR_MAX * slots);
    this.#mmsg = new Uint8Array(MMSGHDR * slots);
    this.#view = new DataView(this.#mmsg.buffer);
    this.#iov = new BigUint64Array(2 * slots);
    const base = addressOf(buf);
    const names = addressOf(this.#names);
    const iov = addressOf(this.#iov);
    for (let i = 0; i < slots; i++) {
      this.#iov[2 * i] = base + BigInt(i * this.slotSize);
      this.#iov[2 * i + 1] = BigInt(this.slotSize);
      const at = i * MMSGHDR;
      this.#view.setBigUint64(at, names + BigInt(i * SOCKADDR_MAX), true);
      this.#view.setBigUint64(at + 16, iov + BigInt(16 * i), true);
      this.#view.setBigUint64(at + 24, 1n, true);
    }
  }

  /**
   * Receive: the count (0..slots), or -1 for EAGAIN. Then `data(i)` and
   * `from(i)` give datagram `i` (copied / decoded).
   */
  receive(fd: number): number {
    for (let i = 0; i < this.slots; i++) {
      this.#view.setUint32(i * MMSGHDR + 8, SOCKADDR_MAX, true);
    }
    for (;;) {
      const n = this.#sys(fd, this.#mmsg, this.slots, 0, null);
      if (n !== -1) return n;
      const e = errno();
      if (e === EAGAIN) return -1;
      if (e !== EINTR) throw fromErrno(e, "recvmmsg", fd);
    }
  }

  /** A copy of datagram `i` of the last receive. */
  data(i: number): Uint8Array {
    const len = this.#view.getUint32(i * MMSGHDR + 56, true);
    const at = i * this.slotSize;
    return this.#buf.slice(at, at + len);
  }

  /** The sender of datagram `i` of the last receive. */
  from(i: number): SocketAddress {
    const len = this.#view.getUint32(i * MMSGHDR + 8, true);
    return decodeSockaddr(
      this.#names.subarray(i * SOCKADDR_MAX, (i + 1) * SOCKADDR_MAX),
      len,
    );
  }
}

// mmsghdr: msghdr (56 bytes) + msg_len u32 @56, padded to 64.
const MMSGHDR = 64;
