/**
 * `loop.getaddrinfo` and `loop.getnameinfo`: name resolution as Futures of
 * the loop. Numeric hosts are answered at once; names go to libc on Deno's
 * blocking pool (the loop keeps running meanwhile).
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { fromPromise } from "../futures/promise.ts";
import {
  type AddrInfo,
  type AddrInfoHints,
  getaddrinfo as gai,
  getnameinfo as gni,
  numericAddrInfo,
} from "../poll/getaddrinfo.ts";
import type { NetLoop } from "./_loop.ts";
import type { SocketAddress } from "./types.ts";

/**
 * Resolve `host`/`port` to `[family, type, proto, canonname, sockaddr]`
 * entries, as Python's `loop.getaddrinfo`.
 *
 * @param loop The loop whose Future is returned.
 * @param host A name or numeric address; null for the local wildcard or
 *   loopback (with AI_PASSIVE: the wildcard).
 * @param port A port number, a numeric string, a service name, or null.
 * @param hints family, type, proto, flags (0: any).
 * @throws {GaiError} (through the Future) when resolution fails.
 *
 * @example
 * ```ts
 * import { getRunningLoop, run, SOCK_STREAM } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const infos = await run(function* () {
 *   return yield* getRunningLoop().getaddrinfo("127.0.0.1", 80, { type: SOCK_STREAM });
 * });
 * assert.deepEqual(infos[0][4], ["127.0.0.1", 80]);
 * ```
 */
export function getaddrinfo(
  loop: NetLoop,
  host: string | null,
  port: number | string | null,
  hints: AddrInfoHints = {},
): Future<AddrInfo[]> {
  const fast = numericAddrInfo(host, port, hints);
  if (fast !== null) {
    const fut = loop.createFuture<AddrInfo[]>();
    fut.setResult(fast);
    return fut;
  }
  let p: Promise<AddrInfo[]>;
  try {
    p = gai(host, port, hints);
  } catch (err) {
    const fut = loop.createFuture<AddrInfo[]>();
    fut.setException(err);
    return fut;
  }
  return fromPromise(p, { loop });
}

/**
 * `[host, port]` text for `sockaddr`, as Python's `loop.getnameinfo`.
 *
 * @example
 * ```ts
 * import { getRunningLoop, NI_NUMERICHOST, NI_NUMERICSERV, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const r = await run(function* () {
 *   return yield* getRunningLoop().getnameinfo(["::1", 8080, 0, 0], NI_NUMERICHOST | NI_NUMERICSERV);
 * });
 * assert.deepEqual(r, ["::1", "8080"]);
 * ```
 */
export function getnameinfo(
  loop: NetLoop,
  sockaddr: SocketAddress,
  flags = 0,
): Future<[host: string, port: string]> {
  let p: Promise<[string, string]>;
  try {
    p = gni(sockaddr, flags);
  } catch (err) {
    const fut = loop.createFuture<[string, string]>();
    fut.setException(err);
    return fut;
  }
  return fromPromise(p, { loop });
}

/**
 * The first address of `host` for a socket of `family`/`type`.
 * @internal
 */
export function resolveFirst(
  loop: NetLoop,
  host: string,
  port: number,
  family: number,
  type: number,
): Future<SocketAddress> {
  const out = loop.createFuture<SocketAddress>();
  const infos = getaddrinfo(loop, host, port, { family, type });
  infos.addDoneCallback((f) => {
    if (out.done()) return;
    if (f.cancelled()) return void out.cancel();
    const exc = f.exception();
    if (exc !== null && exc !== undefined) return void out.setException(exc);
    const list = f.result();
    if (list.length === 0) {
      out.setException(
        new Error(`Cannot resolve ${JSON.stringify(host)}: no address found`),
      );
    } else out.setResult(list[0][4]);
  });
  return out;
}
