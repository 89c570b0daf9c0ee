/**
 * Socket addresses between their C form (`sockaddr_in`, `sockaddr_in6`,
 * `sockaddr_un`) and asyncio's: `[host, port]` for IPv4,
 * `[host, port, flowinfo, scopeId]` for IPv6, a path string for a Unix
 * socket (an abstract name starts with `"\0"`, Linux only). Numeric IPv4 and
 * IPv6 text is parsed and printed here in JS (`inetPton`/`inetNtop`), which
 * is cheaper than a libc call and the same everywhere.
 *
 * Layouts (man 7 ip, ipv6, unix; rust-lang/libc `src/unix/bsd/mod.rs`):
 * Linux has `family: u16` at 0; macOS and the BSDs have `len: u8` at 0 and
 * `family: u8` at 1. Ports are big-endian at 2. `sockaddr_in` is 16 bytes
 * (address at 4), `sockaddr_in6` 28 (flowinfo u32 at 4, address at 8, scope
 * id u32 at 24), `sockaddr_un` 110 on Linux (path at 2, 108 bytes) and 106
 * elsewhere (104 bytes).
 *
 * @module
 */

import { os } from "./_libc.ts";
import { AF_INET, AF_INET6, AF_UNIX } from "./socket_constants.ts";
import type { SocketAddress } from "../net/types.ts";

const LINUX = os === "linux" || os === "android";
/** Bytes of `sun_path` on this OS. */
export const SUN_PATH_MAX: number = LINUX ? 108 : 104;
/** Bytes of the largest sockaddr we use (`sockaddr_storage` is 128). */
export const SOCKADDR_MAX = 128;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The 4 or 16 bytes of a numeric IPv4 or IPv6 address, or null when `text`
 * is not one (as C's `inet_pton`, which also refuses leading zeros in IPv4).
 *
 * @example
 * ```ts
 * import { AF_INET, AF_INET6 } from "./socket_constants.ts";
 * import { inetPton } from "./sockaddr.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(inetPton(AF_INET, "127.0.0.1"), new Uint8Array([127, 0, 0, 1]));
 * assert.equal(inetPton(AF_INET6, "::1")?.[15], 1);
 * assert.equal(inetPton(AF_INET, "localhost"), null);
 * ```
 */
export function inetPton(family: number, text: string): Uint8Array | null {
  if (family === AF_INET) return parseV4(text);
  if (family === AF_INET6) return parseV6(text);
  return null;
}

function parseV4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > 45) return null;
  // An embedded IPv4 address ("::ffff:1.2.3.4") becomes two hex groups.
  const lastColon = text.lastIndexOf(":");
  if (lastColon !== -1 && text.indexOf(".", lastColon) !== -1) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    const hi = ((v4[0] << 8) | v4[1]).toString(16);
    const lo = ((v4[2] << 8) | v4[3]).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = hexGroups(halves[0]);
  const rest = halves.length === 2 ? hexGroups(halves[1]) : [];
  if (head === null || rest === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return out;
}

function hexGroups(s: string): number[] | null {
  if (s === "") return [];
  const out: number[] = [];
  for (const g of s.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/**
 * The text form of a 4- or 16-byte address (IPv6 as RFC 5952: lowercase,
 * the longest run of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`).
 *
 * @example
 * ```ts
 * import { AF_INET6 } from "./socket_constants.ts";
 * import { inetNtop, inetPton } from "./sockaddr.ts";
 * import assert from "node:assert/strict";
 * assert.equal(inetNtop(AF_INET6, inetPton(AF_INET6, "0:0::1")!), "::1");
 * ```
 */
export function inetNtop(family: number, bytes: Uint8Array): string {
  if (family === AF_INET) {
    // One string per address, shared by every connection that has it
    // (a server holds two per connection).
    const key = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) |
      bytes[3]) >>> 0;
    let text = v4Texts.get(key);
    if (text === undefined) {
      text = `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
      if (v4Texts.size >= V4_CACHE) v4Texts.clear();
      v4Texts.set(key, text);
    }
    return text;
  }
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  if (
    g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 &&
    g[5] === 0xffff
  ) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (best === -1) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

const V4_CACHE = 4096;
const v4Texts = new Map<number, string>();

function putFamily(view: DataView, family: number, len: number): void {
  if (LINUX) {
    view.setUint16(0, family, true);
  } else {
    view.setUint8(0, len);
    view.setUint8(1, family);
  }
}

/**
 * The C sockaddr for `addr` in `family`, exactly as long as the kernel wants
 * it (for an abstract Unix name: 2 + 1 + name length).
 *
 * @throws {TypeError} for an address of the wrong shape or a host that is
 *   not a numeric address of the family (resolve names with getaddrinfo
 *   first); {RangeError} for a port outside 0..65535, a bad family, or a
 *   Unix path longer than `sun_path`.
 *
 * @example
 * ```ts
 * import { AF_INET } from "./socket_constants.ts";
 * import { decodeSockaddr, encodeSockaddr } from "./sockaddr.ts";
 * import assert from "node:assert/strict";
 * const sa = encodeSockaddr(AF_INET, ["127.0.0.1", 8080]);
 * assert.equal(sa.length, 16);
 * assert.deepEqual(decodeSockaddr(sa, sa.length), ["127.0.0.1", 8080]);
 * ```
 */
export function encodeSockaddr(
  family: number,
  addr: SocketAddress,
): Uint8Array {
  if (family === AF_UNIX) return encodeUnix(addr);
  if (family !== AF_INET && family !== AF_INET6) {
    throw new RangeError(
      `Cannot encode an address: family ${family} is not AF_INET, AF_INET6 or AF_UNIX`,
    );
  }
  if (!Array.isArray(addr) || typeof addr[0] !== "string") {
    throw new TypeError(
      `Cannot encode an address: expected [host, port], got ${
        JSON.stringify(addr)
      }`,
    );
  }
  const [host, port] = addr;
  checkPort(port, "encode an address");
  const v6 = family === AF_INET6;
  // Zone ids ("fe80::1%2") are given as the scope id instead.
  const bytes = inetPton(family, host);
  if (bytes === null) {
    throw new TypeError(
      `Cannot encode an address: "${host}" is not a numeric ${
        v6 ? "IPv6" : "IPv4"
      } address, resolve names with getaddrinfo() first`,
    );
  }
  const len = v6 ? 28 : 16;
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  putFamily(view, family, len);
  view.setUint16(2, port, false);
  if (v6) {
    const flowinfo = addr.length > 2 ? addr[2] ?? 0 : 0;
    const scopeId = addr.length > 3 ? addr[3] ?? 0 : 0;
    checkU32(flowinfo, "flowinfo");
    checkU32(scopeId, "scopeId");
    view.setUint32(4, flowinfo, false);
    out.set(bytes, 8);
    view.setUint32(24, scopeId, true);
  } else {
    out.set(bytes, 4);
  }
  return out;
}

/**
 * Check a port number: an integer in 0..65535.
 * @throws {RangeError} otherwise.
 * @internal
 */
export function checkPort(port: unknown, action: string): void {
  if (typeof port !== "number" || !Number.isInteger(port)) {
    throw new TypeError(
      `Cannot ${action}: port must be an integer, got ${String(port)}`,
    );
  }
  if (port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port must be 0-65535, got ${port}`,
    );
  }
}

function checkU32(n: unknown, what: string): void {
  if (
    typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0xffffffff
  ) {
    throw new RangeError(
      `Cannot encode an address: ${what} must be a 32-bit unsigned integer, got ${
        String(n)
      }`,
    );
  }
}

function encodeUnix(addr: SocketAddress): Uint8Array {
  if (typeof addr !== "string") {
    throw new TypeError(
      "Cannot encode a Unix address: expected a path string",
    );
  }
  const path = encoder.encode(addr);
  const abstract = path.length > 0 && path[0] === 0;
  if (abstract && !LINUX) {
    throw new RangeError(
      `Cannot encode a Unix address: abstract names (a leading "\\0") exist on Linux only`,
    );
  }
  // A path needs its terminating NUL inside sun_path; an abstract name does
  // not (its length is the address length).
  const max = abstract ? SUN_PATH_MAX : SUN_PATH_MAX - 1;
  if (path.length > max) {
    throw new RangeError(
      `Cannot encode a Unix address: path is ${path.length} bytes, sun_path holds at most ${max}`,
    );
  }
  if (!abstract && path.includes(0)) {
    throw new TypeError("Cannot encode a Unix address: path contains a NUL");
  }
  const len = 2 + path.length + (abstract ? 0 : 1);
  const out = new Uint8Array(len);
  putFamily(new DataView(out.buffer), AF_UNIX, len);
  out.set(path, 2);
  return out;
}

/**
 * The family stored in a C sockaddr.
 * @internal
 */
export function sockaddrFamily(buf: Uint8Array): number {
  return LINUX ? buf[0] | (buf[1] << 8) : buf[1];
}

/**
 * asyncio's address for the first `len` bytes of a C sockaddr.
 *
 * @throws {RangeError} for an unknown family.
 *
 * @example A Unix path
 * ```ts
 * import { AF_UNIX } from "./socket_constants.ts";
 * import { decodeSockaddr, encodeSockaddr } from "./sockaddr.ts";
 * import assert from "node:assert/strict";
 * const sa = encodeSockaddr(AF_UNIX, "/tmp/x.sock");
 * assert.equal(decodeSockaddr(sa, sa.length), "/tmp/x.sock");
 * ```
 */
export function decodeSockaddr(buf: Uint8Array, len: number): SocketAddress {
  // An unnamed Unix socket (e.g. accept4 of a client that never bound)
  // comes back with just the family, or nothing at all.
  if (len < 2) return "";
  const family = sockaddrFamily(buf);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (family === AF_INET) {
    return [inetNtop(AF_INET, buf.subarray(4, 8)), view.getUint16(2, false)];
  }
  if (family === AF_INET6) {
    return [
      inetNtop(AF_INET6, buf.subarray(8, 24)),
      view.getUint16(2, false),
      view.getUint32(4, false),
      view.getUint32(24, true),
    ];
  }
  if (family === AF_UNIX) {
    const path = buf.subarray(2, len);
    if (path.length > 0 && path[0] === 0) return decoder.decode(path);
    const nul = path.indexOf(0);
    return decoder.decode(nul === -1 ? path : path.subarray(0, nul));
  }
  throw new RangeError(
    `Cannot decode an address: family ${family} is not AF_INET, AF_INET6 or AF_UNIX`,
  );
}
