/**
 * Name resolution through libc's `getaddrinfo`/`getnameinfo`, run off the
 * JS thread (Deno's blocking pool, koffi's on Node, a Worker on Bun) so a
 * slow resolver never stalls it; numeric hosts and ports take a
 * synchronous fast path that never leaves JS (as asyncio's `_ipaddr_info`).
 *
 * `struct addrinfo` (48 bytes on 64-bit): flags i32 @0, family @4, socktype
 * @8, protocol @12, addrlen u32 @16, then on Linux (glibc, musl) ai_addr @24
 * and ai_canonname @32, swapped on macOS and the BSDs; ai_next @40
 * (rust-lang/libc `src/unix/linux_like/mod.rs`, `src/unix/bsd/mod.rs`).
 * Everything is copied out before `freeaddrinfo`.
 *
 * @module
 */

import { libc, os } from "./_libc.ts";
import { cStringAt, pointerAt, pointerFrom, viewAt } from "./_pointer.ts";
import { OSError } from "./errors.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  inetNtop,
  inetPton,
} from "./sockaddr.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_STREAM,
} from "./socket_constants.ts";
import type { SocketAddress } from "../net/types.ts";

const LINUX = os === "linux" || os === "android";
const ADDR_AT = LINUX ? 24 : 32;
const CANON_AT = LINUX ? 32 : 24;
const ADDRINFO = 48;
const encoder = new TextEncoder();

/**
 * One result of getaddrinfo, as Python's:
 * `[family, type, proto, canonname, sockaddr]`.
 */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: SocketAddress,
];

/**
 * Hints of {@linkcode getaddrinfo}: 0 means any.
 *
 * @example
 * ```ts
 * import type { AddrInfoHints } from "./getaddrinfo.ts";
 * const hints: AddrInfoHints = { type: 1 };
 * console.log(hints);
 * ```
 */
export interface AddrInfoHints {
  /** Address family (AF_INET, AF_INET6, AF_UNSPEC). */
  family?: number;
  /** Socket type (SOCK_STREAM, SOCK_DGRAM). */
  type?: number;
  /** Protocol (IPPROTO_TCP, ...). */
  proto?: number;
  /** AI_* flags. */
  flags?: number;
}

/**
 * A name-resolution failure (Python's `socket.gaierror`): `errno` is the
 * `EAI_*` code, the message libc's text for it.
 *
 * @example
 * ```ts
 * import { GaiError } from "./getaddrinfo.ts";
 * const err = new GaiError(-2, "Name or service not known");
 * console.log(err.errno, err.message);
 * ```
 */
export class GaiError extends OSError {
  /**
   * Create the error.
   *
   * @param code The `EAI_*` code.
   * @param message libc's text for it.
   */
  constructor(code: number, message: string) {
    super(code, message, { syscall: "getaddrinfo" });
    // OSError names errno values; EAI_* codes are another numbering.
    Object.defineProperty(this, "code", { value: `EAI_${code}` });
  }
}

function gaiError(code: number, what: string): GaiError {
  const ptr = libc().gai_strerror(code);
  const text = ptr === null ? `error ${code}` : cStringAt(ptr);
  return new GaiError(code, `${what}: ${text}`);
}

/**
 * The answer for a numeric host and port without calling libc, or null
 * when libc must be asked (a name, a service name, a zone id, type 0).
 * @internal
 */
export function numericAddrInfo(
  host: string | null,
  port: number | string | null,
  hints: AddrInfoHints,
): AddrInfo[] | null {
  const type = hints.type ?? 0;
  if (host === null || type === 0) return null;
  const p = port === null ? 0 : typeof port === "number" ? port : Number(port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) return null;
  if (typeof port === "string" && !/^[0-9]+$/.test(port)) return null;
  const want = hints.family ?? AF_UNSPEC;
  let family: number;
  if (inetPton(AF_INET, host) !== null) family = AF_INET;
  else if (inetPton(AF_INET6, host) !== null) family = AF_INET6;
  else return null;
  if (want !== AF_UNSPEC && want !== family) return null;
  const proto = hints.proto ||
    (type === SOCK_STREAM
      ? IPPROTO_TCP
      : type === SOCK_DGRAM
      ? IPPROTO_UDP
      : 0);
  const text = inetNtop(family, inetPton(family, host)!);
  const addr: SocketAddress = family === AF_INET ? [text, p] : [text, p, 0, 0];
  return [[family, type, proto, "", addr]];
}

/**
 * Resolve `host` and `port` with libc on Deno's blocking pool (never
 * blocking the JS thread), numeric ones at once.
 *
 * @throws {GaiError} (through the promise) when resolution fails.
 *
 * @example Resolving localhost
 * ```ts
 * import { getaddrinfo } from "./getaddrinfo.ts";
 * import assert from "node:assert/strict";
 * const infos = await getaddrinfo("localhost", 80, { type: 1 });
 * assert.ok(infos.length > 0);
 * ```
 */
export function getaddrinfo(
  host: string | null,
  port: number | string | null,
  hints: AddrInfoHints = {},
): Promise<AddrInfo[]> {
  const fast = numericAddrInfo(host, port, hints);
  if (fast !== null) return Promise.resolve(fast);
  const node = host === null ? null : cString(host);
  const service = port === null ? null : cString(String(port));
  const hintBuf = new Int32Array(12);
  hintBuf[0] = hints.flags ?? 0;
  hintBuf[1] = hints.family ?? 0;
  hintBuf[2] = hints.type ?? 0;
  hintBuf[3] = hints.proto ?? 0;
  const out = new BigUint64Array(1);
  const what = `Cannot resolve ${JSON.stringify(host)} port ${String(port)}`;
  return libc().getaddrinfo(node, service, hintBuf, out).then((rc) => {
    if (rc !== 0) throw gaiError(rc, what);
    return readList(out[0]);
  });
}

function cString(s: string): Uint8Array {
  const b = encoder.encode(s + "\0");
  if (b.indexOf(0) !== b.length - 1) {
    throw new TypeError(
      `Cannot resolve ${JSON.stringify(s)}: it contains a NUL`,
    );
  }
  return b;
}

function readList(head: bigint): AddrInfo[] {
  const first = pointerFrom(head);
  const out: AddrInfo[] = [];
  try {
    let p = first;
    while (p !== null) {
      const v = new DataView(viewAt(p, ADDRINFO));
      const family = v.getInt32(4, true);
      const addrlen = v.getUint32(16, true);
      const addrPtr = pointerAt(p, ADDR_AT);
      const canonPtr = pointerAt(p, CANON_AT);
      if (addrPtr !== null && (family === AF_INET || family === AF_INET6)) {
        const sa = new Uint8Array(viewAt(addrPtr, addrlen).slice(0));
        out.push([
          family,
          v.getInt32(8, true),
          v.getInt32(12, true),
          canonPtr === null ? "" : cStringAt(canonPtr),
          decodeSockaddr(sa, addrlen),
        ]);
      }
      p = pointerAt(p, 40);
    }
  } finally {
    libc().freeaddrinfo(first);
  }
  return out;
}

const NI_MAXHOST = 1025;
const NI_MAXSERV = 32;

/**
 * `[host, port]` text for a socket address (Python's
 * `socket.getnameinfo`). Numeric requests are answered in JS; others call
 * libc on the blocking pool.
 *
 * @throws {GaiError} (through the promise) when libc fails.
 *
 * @example
 * ```ts
 * import { getnameinfo } from "./getaddrinfo.ts";
 * import { NI_NUMERICHOST, NI_NUMERICSERV } from "./socket_constants.ts";
 * import assert from "node:assert/strict";
 * const r = await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV);
 * assert.deepEqual(r, ["127.0.0.1", "80"]);
 * ```
 */
export function getnameinfo(
  sockaddr: SocketAddress,
  flags = 0,
): Promise<[host: string, port: string]> {
  if (!Array.isArray(sockaddr)) {
    throw new TypeError(
      "Cannot look up a name: expected [host, port] or [host, port, flowinfo, scopeId]",
    );
  }
  const family = sockaddr.length === 4 || sockaddr[0].includes(":")
    ? AF_INET6
    : AF_INET;
  const sa = encodeSockaddr(family, sockaddr);
  const want = NI_NUMERICHOST | NI_NUMERICSERV;
  if ((flags & want) === want) {
    const [h, p] = decodeSockaddr(sa, sa.length) as [string, number];
    return Promise.resolve([h, String(p)]);
  }
  const host = new Uint8Array(NI_MAXHOST);
  const serv = new Uint8Array(NI_MAXSERV);
  return libc().getnameinfo(
    sa,
    sa.length,
    host,
    NI_MAXHOST,
    serv,
    NI_MAXSERV,
    flags,
  )
    .then((rc) => {
      if (rc !== 0) throw gaiError(rc, "Cannot look up a name");
      const text = (b: Uint8Array) =>
        new TextDecoder().decode(b.subarray(0, b.indexOf(0)));
      return [text(host), text(serv)];
    });
}
