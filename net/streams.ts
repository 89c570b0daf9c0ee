/**
 * asyncio's stream functions: `openConnection` and `startServer` (TCP),
 * `openUnixConnection` and `startUnixServer` (Unix sockets). They make the
 * transports with `createConnection`/`createServer` and put a
 * `StreamReader`/`StreamWriter` pair on each connection.
 *
 * @module
 */

import { _requireLoop } from "../futures/_loop.ts";
import type { Future } from "../futures/future.ts";
import { type Coro, Task } from "../futures/task.ts";
import type { NetLoop } from "./_loop.ts";
import {
  createConnection,
  type CreateConnectionOptions,
} from "./connection.ts";
import { createServer, type CreateServerOptions } from "./create_server.ts";
import type { Server } from "./server.ts";
import {
  createUnixConnection,
  type CreateUnixConnectionOptions,
  createUnixServer,
  type CreateUnixServerOptions,
} from "./unix.ts";
import type { Transport } from "./types.ts";
import { StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";
import {
  type ClientConnected,
  StreamReaderProtocol,
} from "./stream_protocol.ts";

/**
 * The limit of the readers made (asyncio's `limit`, default 64 KiB).
 *
 * @example
 * ```ts
 * import type { StreamsLimit } from "../mod.ts";
 * const options: StreamsLimit = { limit: 1 << 20 };
 * console.log(options.limit);
 * ```
 */
export interface StreamsLimit {
  /** The reader's limit: the longest line, half the buffer. */
  limit?: number;
}

/**
 * Options of {@linkcode openConnection}: `limit` and `createConnection`'s.
 *
 * @example
 * ```ts
 * import type { OpenConnectionOptions } from "../mod.ts";
 * const options: OpenConnectionOptions = { limit: 1024, happyEyeballsDelay: 0.25 };
 * console.log(options.limit);
 * ```
 */
export interface OpenConnectionOptions
  extends CreateConnectionOptions, StreamsLimit {}

/**
 * Options of {@linkcode startServer}: `limit` and `createServer`'s.
 *
 * @example
 * ```ts
 * import type { StartServerOptions } from "../mod.ts";
 * const options: StartServerOptions = { limit: 1024, backlog: 511 };
 * console.log(options.backlog);
 * ```
 */
export interface StartServerOptions extends CreateServerOptions, StreamsLimit {}

/**
 * Options of {@linkcode openUnixConnection}.
 *
 * @example
 * ```ts
 * import type { OpenUnixConnectionOptions } from "../mod.ts";
 * const options: OpenUnixConnectionOptions = { limit: 1024 };
 * console.log(options.limit);
 * ```
 */
export interface OpenUnixConnectionOptions
  extends CreateUnixConnectionOptions, StreamsLimit {}

/**
 * Options of {@linkcode startUnixServer}.
 *
 * @example
 * ```ts
 * import type { StartUnixServerOptions } from "../mod.ts";
 * const options: StartUnixServerOptions = { limit: 1024, cleanupSocket: true };
 * console.log(options.cleanupSocket);
 * ```
 */
export interface StartUnixServerOptions
  extends CreateUnixServerOptions, StreamsLimit {}

/**
 * Connect to `host`:`port` and return a reader and a writer on the
 * connection (asyncio's `open_connection`).
 *
 * @param host The host name or address (resolve only what you trust).
 * @param port The port.
 * @param options `limit` and `createConnection`'s options.
 * @returns A Future of `[reader, writer]`.
 * @throws {RangeError} for a bad `limit`; (through the Future) the
 *   connection's `OSError` (`ConnectionRefusedError`, ...).
 *
 * @example The echo client of asyncio's documentation
 * ```ts
 * import { openConnection, run, startServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const server = yield* startServer(function* (reader, writer) {
 *     writer.write(yield* reader.read(100));
 *     yield* writer.drain();
 *     writer.close();
 *   }, "127.0.0.1", 0);
 *   const [, port] = server.sockets[0].getsockname() as [string, number];
 *
 *   const [reader, writer] = yield* openConnection("127.0.0.1", port);
 *   writer.write(new TextEncoder().encode("Hello World!"));
 *   yield* writer.drain();
 *   const data = yield* reader.read(100);
 *   assert.equal(new TextDecoder().decode(data), "Hello World!");
 *   writer.close();
 *   yield* writer.waitClosed();
 *   server.close();
 *   yield* server.waitClosed();
 * });
 * ```
 */
export function openConnection(
  host?: string | null,
  port?: number | null,
  options: OpenConnectionOptions = {},
): Future<[StreamReader, StreamWriter]> {
  const loop = _requireLoop("open a connection") as NetLoop;
  const { limit, ...rest } = options;
  return open(
    loop,
    limit,
    (factory) => createConnection(loop, factory, host, port, rest),
  );
}

/**
 * Connect to the Unix socket at `path` (asyncio's `open_unix_connection`).
 *
 * @param path The socket's path (`"\0name"` for an abstract one).
 * @param options `limit` and `createUnixConnection`'s options.
 * @returns A Future of `[reader, writer]`.
 * @throws {RangeError} for a bad `limit`; (through the Future) the
 *   connection's `OSError` (`FileNotFoundError`, ...).
 *
 * @example
 * ```ts
 * import { openUnixConnection, run, startUnixServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const path = `\0asyncio-doc-echo-${Deno.pid}`; // abstract: no file
 * await run(async () => {
 *   const server = await startUnixServer(async (reader, writer) => {
 *     writer.write(await reader.readline());
 *     writer.close();
 *   }, path);
 *   const [reader, writer] = await openUnixConnection(path);
 *   writer.write(new TextEncoder().encode("over unix\n"));
 *   assert.equal(new TextDecoder().decode(await reader.readline()), "over unix\n");
 *   writer.close();
 *   await writer.waitClosed();
 *   server.close();
 *   await server.waitClosed();
 * });
 * ```
 */
export function openUnixConnection(
  path?: string | null,
  options: OpenUnixConnectionOptions = {},
): Future<[StreamReader, StreamWriter]> {
  const loop = _requireLoop("open a Unix connection") as NetLoop;
  const { limit, ...rest } = options;
  return open(
    loop,
    limit,
    (factory) => createUnixConnection(loop, factory, path, rest),
  );
}

/**
 * Serve `host`:`port`: each client gets a reader and a writer, passed to
 * `clientConnected`, which runs in its own task (asyncio's `start_server`).
 * It may be a generator function or an async function. An error escaping
 * it goes to the loop's exception handler and closes that connection only;
 * the server keeps serving.
 *
 * @param clientConnected Called for each client with its reader and writer.
 * @param host The address(es) to listen on (null: every interface).
 * @param port The port (0: any free port).
 * @param options `limit` and `createServer`'s options.
 * @returns A Future of the {@linkcode Server}, already serving.
 * @throws {TypeError} if `clientConnected` is not a function;
 *   {RangeError} for a bad `limit`.
 *
 * @example The echo server of asyncio's documentation, async form
 * ```ts
 * import { openConnection, run, startServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(async () => {
 *   const server = await startServer(async (reader, writer) => {
 *     const data = await reader.read(100);
 *     writer.write(data);
 *     await writer.drain();
 *     writer.close();
 *     await writer.waitClosed();
 *   }, "127.0.0.1", 0);
 *   const [, port] = server.sockets[0].getsockname() as [string, number];
 *   const [reader, writer] = await openConnection("127.0.0.1", port);
 *   writer.write(new TextEncoder().encode("ping"));
 *   assert.equal(new TextDecoder().decode(await reader.read()), "ping");
 *   writer.close();
 *   server.close();
 *   await server.waitClosed();
 * });
 * ```
 */
export function startServer(
  clientConnected: ClientConnected,
  host?: string | string[] | null,
  port?: number | null,
  options: StartServerOptions = {},
): Future<Server> {
  const loop = _requireLoop("start a server") as NetLoop;
  const { limit, ...rest } = options;
  return createServer(
    loop,
    serverFactory(loop, clientConnected, limit, "start a server"),
    host,
    port,
    rest,
  );
}

/**
 * Serve the Unix socket at `path` (asyncio's `start_unix_server`); as
 * {@linkcode startServer} otherwise.
 *
 * @param clientConnected Called for each client with its reader and writer.
 * @param path The socket's path (`"\0name"` for an abstract one).
 * @param options `limit` and `createUnixServer`'s options.
 * @returns A Future of the {@linkcode Server}, already serving.
 * @throws {TypeError} if `clientConnected` is not a function;
 *   {RangeError} for a bad `limit`.
 *
 * @example
 * ```ts
 * import { run, startUnixServer } from "../mod.ts";
 *
 * const path = `\0asyncio-doc-quiet-${Deno.pid}`;
 * await run(function* () {
 *   const server = yield* startUnixServer(function* (_reader, writer) {
 *     writer.close();
 *   }, path);
 *   server.close();
 *   yield* server.waitClosed();
 * });
 * ```
 */
export function startUnixServer(
  clientConnected: ClientConnected,
  path?: string | null,
  options: StartUnixServerOptions = {},
): Future<Server> {
  const loop = _requireLoop("start a Unix server") as NetLoop;
  const { limit, ...rest } = options;
  return createUnixServer(
    loop,
    serverFactory(loop, clientConnected, limit, "start a Unix server"),
    path,
    rest,
  );
}

function open(
  loop: NetLoop,
  limit: number | undefined,
  connect: (
    factory: () => StreamReaderProtocol,
  ) => Future<[Transport, StreamReaderProtocol]>,
): Future<[StreamReader, StreamWriter]> {
  const reader = new StreamReader({ limit, loop }); // checks the limit now
  const protocol = new StreamReaderProtocol(reader, null, { loop });
  // Started at once, as the connection attempt of a Python coroutine
  // begins at its first await.
  return new Task(
    function* (): Coro<[StreamReader, StreamWriter]> {
      const [transport] = yield* connect(() => protocol);
      return [reader, new StreamWriter(transport, protocol, reader)];
    },
    { loop, eagerStart: true },
  );
}

function serverFactory(
  loop: NetLoop,
  clientConnected: ClientConnected,
  limit: number | undefined,
  action: string,
): () => StreamReaderProtocol {
  if (typeof clientConnected !== "function") {
    throw new TypeError(
      `Cannot ${action}: clientConnected must be a function (a generator function or an async function), got ${typeof clientConnected}`,
    );
  }
  new StreamReader({ limit }); // checks the limit before listening
  return () =>
    new StreamReaderProtocol(
      new StreamReader({ limit, loop }),
      clientConnected,
      { loop },
    );
}
