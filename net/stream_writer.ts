/**
 * `StreamWriter`: writes to a connection with asyncio's API — `write`,
 * `writelines`, `drain` (flow control), `writeEof`, `close`, `waitClosed` —
 * plus `await using` disposal.
 *
 * @module
 */

import { dual } from "../futures/_dual.ts";
import type { Awaitable } from "../futures/_wait.ts";
import { failed } from "../futures/_wait.ts";
import { sleep } from "../futures/sleep.ts";
import type { SSLContext } from "../tls/context.ts";
import { startTls, type StartTlsOptions } from "../tls/start_tls.ts";
import type { Transport } from "./types.ts";
import type { StreamReader } from "./stream_reader.ts";
import type { StreamReaderProtocol } from "./stream_protocol.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _closeWaiter: typeof netKeys._closeWaiter = netKeys._closeWaiter;
const _drainHelper: typeof netKeys._drainHelper = netKeys._drainHelper;
const _isServerSide: typeof netKeys._isServerSide = netKeys._isServerSide;
const _loop: typeof netKeys._loop = netKeys._loop;
const _replaceTransport: typeof netKeys._replaceTransport =
  netKeys._replaceTransport;

/**
 * Writes to a stream transport; made by `openConnection` and `startServer`.
 *
 * `write()` never waits: what the socket cannot take at once is buffered
 * without bound. **Call `drain()` after writing** — it returns at once
 * while the transport's buffer is under its high-water mark and waits
 * while it is over, so a writer that drains never holds more than about
 * the high-water mark. Writing in a loop without `drain()` against a slow
 * peer grows memory until the process dies; the right loop is:
 *
 * ```ts ignore
 * for (const chunk of chunks) {
 *   writer.write(chunk);
 *   yield* writer.drain(); // or: await writer.drain();
 * }
 * ```
 *
 * `drain()` also reports a lost connection: it throws the connection's
 * error (e.g. `ConnectionResetError`) once it is lost.
 *
 * @example Writing and closing
 * ```ts
 * import { openConnection, run, startServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(async () => {
 *   const server = await startServer(async (reader, writer) => {
 *     writer.write(await reader.readline());
 *     await writer.drain();
 *     writer.close();
 *     await writer.waitClosed();
 *   }, "127.0.0.1", 0);
 *   const [host, port] = server.sockets[0].getsockname() as [string, number];
 *   const [reader, writer] = await openConnection(host, port);
 *   writer.write(new TextEncoder().encode("ping\n"));
 *   await writer.drain();
 *   assert.equal(new TextDecoder().decode(await reader.readline()), "ping\n");
 *   writer.close();
 *   await writer.waitClosed();
 *   server.close();
 *   await server.waitClosed();
 * });
 * ```
 */
export class StreamWriter {
  #transport: Transport;
  readonly #protocol: StreamReaderProtocol;
  readonly #reader: StreamReader | null;

  /**
   * Wrap `transport`; `protocol` is the one driving `reader`. Rarely called
   * directly: `openConnection` and `startServer` make writers.
   */
  constructor(
    transport: Transport,
    protocol: StreamReaderProtocol,
    reader: StreamReader | null,
  ) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
  }

  /** The underlying transport. */
  get transport(): Transport {
    return this.#transport;
  }

  /** Send `data` (buffered if the socket cannot take it; see `drain()`). */
  write(data: Uint8Array): void {
    this.#transport.write(data);
  }

  /** Send every buffer of `list`, in order (one batched write). */
  writelines(list: Iterable<Uint8Array>): void {
    this.#transport.writelines(list);
  }

  /** Close the write side once the buffer is sent (half-close). */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /** Whether the transport supports `writeEof()`. */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /** Close the connection once the buffer is sent. */
  close(): void {
    this.#transport.close();
  }

  /** Whether the connection is closing or closed. */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /**
   * Wait until the connection is closed: resolves after a clean close,
   * throws the connection's error if it was lost with one (as asyncio).
   */
  waitClosed(): Awaitable<void> {
    return this.#protocol[_closeWaiter]();
  }

  /** The transport's extra info (`"peername"`, `"sockname"`, ...). */
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return this.#transport.getExtraInfo(name, defaultValue);
  }

  /**
   * Wait until the transport's buffer is under its high-water mark; at once
   * when it already is.
   *
   * @throws (when awaited) the connection's error once it is lost with one,
   *   else `ConnectionResetError` once it is lost.
   */
  drain(): Awaitable<void> {
    const exc = this.#reader?.exception() ?? null;
    if (exc !== null) return failed(exc);
    if (this.#transport.isClosing()) {
      // Let connectionLost() run first, so a write loop sees the error.
      const protocol = this.#protocol;
      return dual(function* () {
        yield* sleep(0);
        return yield* protocol[_drainHelper]();
      }, "drain");
    }
    return this.#protocol[_drainHelper]();
  }

  /**
   * Upgrade the connection to TLS in place (asyncio's `start_tls`), e.g.
   * after a plaintext STARTTLS exchange: drains, runs the handshake (as the
   * server when the streams came from `startServer`), and from then on the
   * reader and this writer speak TLS; `transport` is the TLS transport.
   *
   * @param sslContext The TLS settings.
   * @param options The server name (SNI and certificate check) and
   *   timeouts.
   * @throws (when awaited) the handshake's error; the connection is then
   *   closed.
   */
  startTls(
    sslContext: SSLContext,
    options: Omit<StartTlsOptions, "serverSide"> = {},
  ): Awaitable<void> {
    const protocol = this.#protocol;
    const set = (t: Transport) => {
      this.#transport = t;
      protocol[_replaceTransport](t);
    };
    const drain = () => this.drain();
    const transport = () => this.#transport;
    return dual(function* () {
      yield* drain();
      set(
        yield* startTls(protocol[_loop](), transport(), protocol, sslContext, {
          ...options,
          serverSide: protocol[_isServerSide](),
        }),
      );
    }, "startTls");
  }

  /**
   * `await using writer = ...`: close and wait until closed. The
   * connection's error, if any, is not thrown here (reads and `drain()`
   * report it).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    try {
      await this.waitClosed();
    } catch {
      // Reported by the reads and drain() already.
    }
  }

  /** For debugging: `<StreamWriter closing>`. */
  toString(): string {
    return `<StreamWriter${this.#transport.isClosing() ? " closing" : ""}>`;
  }
}
