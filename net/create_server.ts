/**
 * `createServer`: bind listening TCP sockets for one or several hosts (or
 * adopt one, e.g. an inherited or socket-activated fd) and return a
 * {@linkcode Server}, as asyncio's `loop.create_server`. Every AF_INET6
 * socket gets `IPV6_V6ONLY` (as asyncio: `::` then serves IPv6 only);
 * `SO_REUSEADDR` is on by default, `SO_REUSEPORT` on request.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import { checkPort } from "../poll/sockaddr.ts";
import {
  AF_INET6,
  AF_UNSPEC,
  AI_PASSIVE,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../poll/socket_constants.ts";
import type { AddrInfo } from "../poll/getaddrinfo.ts";
import type { NetLoop } from "./_loop.ts";
import { adoptStreamSocket, checkFamilyIp } from "./connection.ts";
import { planSsl } from "./_tls.ts";
import { getaddrinfo } from "./resolve.ts";
import { Server } from "./server.ts";
import { Socket } from "./socket.ts";
import type { StreamProtocol } from "./types.ts";

/**
 * Options of {@linkcode createServer}.
 *
 * @example
 * ```ts
 * import type { CreateServerOptions } from "../mod.ts";
 * const opts: CreateServerOptions = { backlog: 512, reusePort: true };
 * console.log(opts);
 * ```
 */
export interface CreateServerOptions {
  /** TLS: an `SSLContext` (servers: with its certificate). */
  ssl?: unknown;
  /** AF_INET, AF_INET6 or AF_UNSPEC (default: every family of the host). */
  family?: number;
  /** getaddrinfo flags (AI_PASSIVE is always added). */
  flags?: number;
  /**
   * Serve on this listening socket (a `Socket` or an fd, e.g. from
   * systemd's socket activation) instead of binding.
   */
  sock?: Socket | number;
  /** Listen queue length (default 100, as asyncio). */
  backlog?: number;
  /** SO_REUSEADDR (default true). */
  reuseAddress?: boolean;
  /** SO_REUSEPORT: several processes serve one port (default false). */
  reusePort?: boolean;
  /** Start accepting at once (default true). */
  startServing?: boolean;
  /** TLS handshake timeout (only with `ssl`). */
  sslHandshakeTimeout?: number;
  /** TLS shutdown timeout (only with `ssl`). */
  sslShutdownTimeout?: number;
}

/**
 * Check `backlog` and return it (default 100).
 * @internal
 */
export function checkBacklog(backlog: unknown, action: string): number {
  if (backlog === undefined) return 100;
  if (
    typeof backlog !== "number" || !Number.isInteger(backlog) || backlog < 0
  ) {
    throw new RangeError(
      `Cannot ${action}: backlog must be a non-negative integer, got ${
        String(backlog)
      }`,
    );
  }
  return backlog;
}

/**
 * A TCP server on `host` (a name, a numeric address, a list of them, or
 * null/"" for every interface) and `port`, whose connections each run a
 * protocol from `protocolFactory`.
 *
 * @throws {TypeError} for host/port together with `sock`, or a bad `sock`;
 *   {RangeError} for a bad port, family or backlog; {Error} when `ssl` is
 *   set. Through the Future: the `OSError` of bind (EADDRINUSE ...) naming
 *   the address; no socket is left open.
 *
 * @example An echo server on an ephemeral port
 * ```ts
 * import { createServer, getRunningLoop, run, type Transport } from "../mod.ts";
 * import assert from "node:assert/strict";
 * await run(function* () {
 *   const server = yield* createServer(getRunningLoop(), () => {
 *     let t: Transport;
 *     return { connectionMade: (tr: Transport) => (t = tr), dataReceived: (d: Uint8Array) => t.write(d) };
 *   }, "127.0.0.1", 0);
 *   assert.equal(server.sockets.length, 1);
 *   server.close();
 *   yield* server.waitClosed();
 * });
 * ```
 */
export function createServer(
  loop: NetLoop,
  protocolFactory: () => StreamProtocol,
  host?: string | string[] | null,
  port?: number | null,
  options: CreateServerOptions = {},
): Future<Server> {
  const action = "create a server";
  const tls = planSsl(options, action, { serverSide: true });
  const backlog = checkBacklog(options.backlog, action);
  const startServing = options.startServing ?? true;
  if (options.sock !== undefined) {
    if ((host ?? null) !== null || (port ?? null) !== null) {
      throw new TypeError(
        `Cannot ${action}: host/port and sock can not be specified at the same time`,
      );
    }
    const sock = adoptStreamSocket(options.sock, action);
    const server = new Server(loop, [sock], protocolFactory, backlog, tls);
    return finish(loop, server, startServing);
  }
  checkPort(port ?? 0, action);
  const family = options.family ?? AF_UNSPEC;
  checkFamilyIp(family, action);
  const hosts = host === undefined || host === null || host === ""
    ? [null]
    : typeof host === "string"
    ? [host]
    : host;
  const hints = {
    family,
    type: SOCK_STREAM,
    flags: (options.flags ?? 0) | AI_PASSIVE,
  };
  return new Task(function* () {
    const infos: AddrInfo[] = [];
    const seen = new Set<string>();
    for (const h of hosts) {
      for (const info of yield* getaddrinfo(loop, h, port ?? 0, hints)) {
        const key = JSON.stringify([info[0], info[4]]);
        if (!seen.has(key)) {
          seen.add(key);
          infos.push(info);
        }
      }
    }
    const sockets: Socket[] = [];
    try {
      for (const [fam, type, proto, , addr] of infos) {
        const sock = new Socket({ family: fam, type, proto });
        sockets.push(sock);
        if (options.reuseAddress ?? true) {
          sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
        }
        if (options.reusePort) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
        // Without it "::" also takes IPv4 and a second bind on 0.0.0.0
        // fails with EADDRINUSE (asyncio sets it unconditionally).
        if (fam === AF_INET6) sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
        sock.bind(addr);
      }
    } catch (err) {
      for (const s of sockets) s.close();
      throw err;
    }
    const server = new Server(loop, sockets, protocolFactory, backlog, tls);
    try {
      if (startServing) yield* server.startServing();
    } catch (err) {
      server.close();
      throw err;
    }
    return server;
  }, { loop });
}

function finish(loop: NetLoop, server: Server, start: boolean): Future<Server> {
  return new Task(function* () {
    if (start) yield* server.startServing();
    return server;
  }, { loop });
}
