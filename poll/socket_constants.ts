/**
 * Socket constants with this OS's values, named as in C and Python's
 * `socket` module: address families, socket types, option levels and names,
 * message flags. Linux values from `<bits/socket.h>`, `<netinet/in.h>`,
 * `<netinet/tcp.h>`; macOS and the BSDs from `<sys/socket.h>` (rust-lang/libc
 * `src/unix/bsd/mod.rs` lists both).
 *
 * @example Making a TCP socket's options
 * ```ts
 * import { AF_INET, IPPROTO_TCP, SOCK_STREAM, TCP_NODELAY } from "./socket_constants.ts";
 * console.log(AF_INET, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY);
 * ```
 *
 * @module
 */

import { os } from "./_libc.ts";

const LINUX = os === "linux" || os === "android";
const DARWIN = os === "darwin";

/** Unspecified address family (any). */
export const AF_UNSPEC = 0;
/** Unix-domain sockets (paths and, on Linux, abstract names). */
export const AF_UNIX = 1;
/** IPv4. */
export const AF_INET = 2;
/** IPv6 (10 on Linux, 30 on macOS, 28 on FreeBSD, 24 on NetBSD). */
export const AF_INET6: number = LINUX
  ? 10
  : DARWIN
  ? 30
  : os === "freebsd"
  ? 28
  : 24;

/** A byte stream (TCP, Unix stream). */
export const SOCK_STREAM = 1;
/** Datagrams (UDP, Unix datagram). */
export const SOCK_DGRAM = 2;
/** Raw sockets. */
export const SOCK_RAW = 3;
/**
 * Flag of `socket()`'s type: create non-blocking (Linux, FreeBSD; 0
 * elsewhere, where we use fcntl).
 */
export const SOCK_NONBLOCK: number = LINUX
  ? 0o4000
  : os === "freebsd"
  ? 0x20000000
  : 0;
/**
 * Flag of `socket()`'s type: create close-on-exec (Linux, FreeBSD; 0
 * elsewhere, where we use fcntl).
 */
export const SOCK_CLOEXEC: number = LINUX
  ? 0o2000000
  : os === "freebsd"
  ? 0x10000000
  : 0;

/** Protocol number of TCP. */
export const IPPROTO_TCP = 6;
/** Protocol number of UDP. */
export const IPPROTO_UDP = 17;
/** Option level of IPv4. */
export const IPPROTO_IP = 0;
/** Option level of IPv6. */
export const IPPROTO_IPV6 = 41;

/** Option level of the socket itself. */
export const SOL_SOCKET: number = LINUX ? 1 : 0xffff;
/** Allow reuse of a local address in TIME_WAIT. */
export const SO_REUSEADDR: number = LINUX ? 2 : 0x4;
/** Let several sockets bind the same address and port. */
export const SO_REUSEPORT: number = LINUX ? 15 : 0x200;
/** The pending error (reading it clears it). */
export const SO_ERROR: number = LINUX ? 4 : 0x1007;
/** The socket type. */
export const SO_TYPE: number = LINUX ? 3 : 0x1008;
/** Allow sending to broadcast addresses. */
export const SO_BROADCAST: number = LINUX ? 6 : 0x20;
/** Send keep-alive probes. */
export const SO_KEEPALIVE: number = LINUX ? 9 : 0x8;
/** Size of the send buffer. */
export const SO_SNDBUF: number = LINUX ? 7 : 0x1001;
/** Size of the receive buffer. */
export const SO_RCVBUF: number = LINUX ? 8 : 0x1002;
/** Whether the socket listens. */
export const SO_ACCEPTCONN: number = LINUX ? 30 : 0x2;
/** Disable Nagle's algorithm. */
export const TCP_NODELAY = 1;
/** An AF_INET6 socket speaks IPv6 only (no IPv4-mapped addresses). */
export const IPV6_V6ONLY: number = LINUX ? 26 : 27;

/** Shut down the read side. */
export const SHUT_RD = 0;
/** Shut down the write side. */
export const SHUT_WR = 1;
/** Shut down both sides. */
export const SHUT_RDWR = 2;

/** Peek at incoming data without consuming it. */
export const MSG_PEEK = 2;
/** Do not block for this call. */
export const MSG_DONTWAIT: number = LINUX ? 0x40 : 0x80;
/**
 * No SIGPIPE on a broken connection (Linux 0x4000, FreeBSD 0x20000; macOS
 * has none and uses the SO_NOSIGPIPE option instead).
 */
export const MSG_NOSIGNAL: number = LINUX
  ? 0x4000
  : os === "freebsd"
  ? 0x20000
  : 0;
/** macOS's per-socket alternative to MSG_NOSIGNAL. */
export const SO_NOSIGPIPE = 0x1022;

/** getaddrinfo flag: an address to bind (wildcard when the host is null). */
export const AI_PASSIVE = 1;
/** getaddrinfo flag: return the canonical name. */
export const AI_CANONNAME = 2;
/** getaddrinfo flag: the host must be numeric. */
export const AI_NUMERICHOST = 4;
/** getaddrinfo flag: only families configured on this host. */
export const AI_ADDRCONFIG: number = LINUX ? 0x20 : 0x400;
/** getaddrinfo flag: the port must be numeric. */
export const AI_NUMERICSERV: number = LINUX ? 0x400 : 0x1000;
/** getnameinfo flag: numeric host. */
export const NI_NUMERICHOST: number = LINUX ? 1 : 2;
/** getnameinfo flag: numeric port. */
export const NI_NUMERICSERV: number = LINUX ? 2 : 8;
