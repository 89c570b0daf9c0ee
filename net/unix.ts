/**
 * Unix-socket connections and servers: `createUnixConnection` and
 * `createUnixServer`, as asyncio's. A server removes a stale socket file
 * before binding and its own socket file when it closes (asyncio 3.13's
 * `cleanup_socket`), unless the file was replaced meanwhile. Abstract names
 * (a leading `"\0"`, Linux) have no file.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import { libc } from "../poll/_libc.ts";
import { lstatPath } from "../poll/_host_fs.ts";
import { encodeSockaddr } from "../poll/sockaddr.ts";
import { AF_UNIX, SOCK_STREAM } from "../poll/socket_constants.ts";
import type { NetLoop } from "./_loop.ts";
import { adoptStreamSocket, makeTransport } from "./connection.ts";
import { planSsl } from "./_tls.ts";
import { checkBacklog } from "./create_server.ts";
import { Server } from "./server.ts";
import { sockConnect } from "./sock_ops.ts";
import { Socket } from "./socket.ts";
import type { StreamProtocol, Transport } from "./types.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _onClose: typeof netKeys._onClose = netKeys._onClose;

/**
 * Options of {@linkcode createUnixConnection}.
 *
 * @example
 * ```ts
 * import type { CreateUnixConnectionOptions } from "../mod.ts";
 * const opts: CreateUnixConnectionOptions = {};
 * console.log(opts);
 * ```
 */
export interface CreateUnixConnectionOptions {
  /** TLS: an `SSLContext` (servers: with its certificate). */
  ssl?: unknown;
  /** Use this connected AF_UNIX stream socket (or fd) instead of `path`. */
  sock?: Socket | number;
  /** TLS server name (only with `ssl`). */
  serverHostname?: string;
}

/**
 * Options of {@linkcode createUnixServer}.
 *
 * @example
 * ```ts
 * import type { CreateUnixServerOptions } from "../mod.ts";
 * const opts: CreateUnixServerOptions = { backlog: 50 };
 * console.log(opts);
 * ```
 */
export interface CreateUnixServerOptions {
  /** TLS: an `SSLContext` (servers: with its certificate). */
  ssl?: unknown;
  /** Serve on this listening AF_UNIX socket (or fd) instead. */
  sock?: Socket | number;
  /** Listen queue length (default 100). */
  backlog?: number;
  /** Start accepting at once (default true). */
  startServing?: boolean;
  /** Remove the socket file when the server closes (default true). */
  cleanupSocket?: boolean;
}

/**
 * Connect to the Unix socket at `path`: `[transport, protocol]`.
 *
 * @throws {RangeError} for a path longer than `sun_path`; {TypeError} for
 *   path together with `sock`. Through the Future: FileNotFoundError,
 *   ConnectionRefusedError ... naming the path.
 *
 * @example
 * ```ts
 * import { createUnixConnection, createUnixServer, getRunningLoop, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * // The socket file is made by bind() and removed when the server closes.
 * const path = `/tmp/asyncio-doc-${Deno.pid}.sock`;
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* createUnixServer(loop, () => ({ dataReceived() {} }), path);
 *   const [t] = yield* createUnixConnection(loop, () => ({ dataReceived() {} }), path);
 *   assert.equal(t.getExtraInfo("peername"), path);
 *   t.close();
 *   server.close();
 *   server.closeClients();
 *   yield* server.waitClosed();
 * });
 * ```
 */
export function createUnixConnection<P extends StreamProtocol>(
  loop: NetLoop,
  protocolFactory: () => P,
  path?: string | null,
  options: CreateUnixConnectionOptions = {},
): Future<[Transport, P]> {
  const action = "create a Unix connection";
  const tls = planSsl(options, action, { serverSide: false, host: null });
  if (options.sock !== undefined) {
    if ((path ?? null) !== null) {
      throw new TypeError(
        `Cannot ${action}: path and sock can not be specified at the same time`,
      );
    }
    return makeTransport(
      loop,
      adoptStreamSocket(options.sock, action),
      protocolFactory,
      tls,
    );
  }
  if (typeof path !== "string") {
    throw new TypeError(`Cannot ${action}: no path and no sock were given`);
  }
  encodeSockaddr(AF_UNIX, path); // validates before any fd exists
  return new Task(function* () {
    const sock = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
    try {
      yield* sockConnect(loop, sock, path);
    } catch (err) {
      sock.close();
      throw err;
    }
    return yield* makeTransport(loop, sock, protocolFactory, tls);
  }, { loop });
}

/**
 * A server on the Unix socket `path` (or an adopted `sock`).
 *
 * An existing socket file at `path` is removed first, as asyncio does (a
 * file of another kind is left alone: bind then fails with EADDRINUSE).
 * Reading the file's status needs `--allow-read`.
 *
 * @throws {RangeError} for a path longer than `sun_path` or a bad backlog.
 *   Through the Future: the bind error (EADDRINUSE, EACCES ...).
 *
 * @example
 * ```ts
 * import { createUnixServer, getRunningLoop, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const path = `/tmp/asyncio-doc-${Deno.pid}-2.sock`;
 * await run(function* () {
 *   const server = yield* createUnixServer(getRunningLoop(), () => ({ dataReceived() {} }), path);
 *   assert.ok(server.isServing());
 *   server.close();
 *   yield* server.waitClosed();
 * });
 * assert.throws(() => Deno.lstatSync(path), Deno.errors.NotFound); // removed
 * ```
 */
export function createUnixServer(
  loop: NetLoop,
  protocolFactory: () => StreamProtocol,
  path?: string | null,
  options: CreateUnixServerOptions = {},
): Future<Server> {
  const action = "create a Unix server";
  const tls = planSsl(options, action, { serverSide: true });
  const backlog = checkBacklog(options.backlog, action);
  let sock: Socket;
  let cleanupPath: string | null = null;
  if (options.sock !== undefined) {
    if ((path ?? null) !== null) {
      throw new TypeError(
        `Cannot ${action}: path and sock can not be specified at the same time`,
      );
    }
    sock = adoptStreamSocket(options.sock, action);
  } else {
    if (typeof path !== "string") {
      throw new TypeError(`Cannot ${action}: no path and no sock were given`);
    }
    encodeSockaddr(AF_UNIX, path);
    const abstract = path.startsWith("\0");
    if (!abstract) removeStaleSocket(path);
    sock = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
    try {
      sock.bind(path);
    } catch (err) {
      sock.close();
      const failed = loop.createFuture<Server>();
      failed.setException(err);
      return failed;
    }
    if (!abstract && (options.cleanupSocket ?? true)) cleanupPath = path;
  }
  const server = new Server(loop, [sock], protocolFactory, backlog, tls);
  if (cleanupPath !== null) {
    const p = cleanupPath;
    const ino = inode(p);
    server[_onClose](() => {
      // Only our own file: another server may have replaced it since.
      if (ino !== null && inode(p) === ino) unlink(p);
    });
  }
  return new Task(function* () {
    try {
      if (options.startServing ?? true) yield* server.startServing();
    } catch (err) {
      server.close();
      throw err;
    }
    return server;
  }, { loop });
}

function inode(path: string): number | null {
  return lstatPath(path)?.ino ?? null;
}

function removeStaleSocket(path: string): void {
  if (lstatPath(path)?.isSocket) unlink(path);
}

function unlink(path: string): void {
  libc().unlink(new TextEncoder().encode(path + "\0"));
}
