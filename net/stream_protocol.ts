/**
 * `StreamReaderProtocol`: the glue between a stream transport and a
 * `StreamReader`/`StreamWriter` pair, as asyncio's. It feeds received bytes,
 * EOF and the connection's error to the reader; turns the transport's
 * `pauseWriting`/`resumeWriting` into the writer's `drain()`; settles
 * `waitClosed()`; and, on a server, runs the client callback in its own task.
 *
 * @module
 */

import type { LoopLike } from "../futures/_loop.ts";
import { Future } from "../futures/future.ts";
import { type Coro, Task } from "../futures/task.ts";
import {
  type Awaitable,
  failed,
  ready,
  Wait,
  Waiters,
} from "../futures/_wait.ts";
import { ConnectionResetError, errnoOf } from "../poll/errors.ts";
import { keepTarget, receiveTarget } from "./_received.ts";
import type { BufferedProtocol, Protocol, Transport } from "./types.ts";
import type { StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _closeWaiter: typeof netKeys._closeWaiter = netKeys._closeWaiter;
const _drainHelper: typeof netKeys._drainHelper = netKeys._drainHelper;
const _isServerSide: typeof netKeys._isServerSide = netKeys._isServerSide;
const _loop: typeof netKeys._loop = netKeys._loop;
const _replaceTransport: typeof netKeys._replaceTransport =
  netKeys._replaceTransport;
const _room: typeof netKeys._room = netKeys._room;

// The most one receive brings (asyncio's max_size).
const MAX_RECEIVE = 256 * 1024;

/**
 * What `startServer` calls for each client: a generator function (run as a
 * generator task), an async function, or a plain function.
 *
 * @example
 * ```ts
 * import type { ClientConnected } from "./stream_protocol.ts";
 * const echo: ClientConnected = function* (reader, writer) {
 *   writer.write(yield* reader.read(100));
 *   yield* writer.drain();
 *   writer.close();
 * };
 * console.log(typeof echo);
 * ```
 */
export type ClientConnected = (
  reader: StreamReader,
  writer: StreamWriter,
) => Coro<unknown> | PromiseLike<unknown> | void;

/**
 * The protocol behind a stream pair. `openConnection` and `startServer`
 * make one per connection; make one yourself to put streams on a transport
 * made otherwise (`loop.createConnection(() => protocol, ...)`).
 *
 * @example Streams over a transport made by hand
 * ```ts
 * import { run, StreamReader, StreamReaderProtocol } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const reader = new StreamReader();
 *   const protocol = new StreamReaderProtocol(reader);
 *   protocol.dataReceived(new TextEncoder().encode("hi\n"));
 *   protocol.eofReceived();
 *   assert.equal((yield* reader.readline()).length, 3);
 *   assert.ok(reader.atEof());
 * });
 * ```
 */
export class StreamReaderProtocol implements Protocol, BufferedProtocol {
  readonly #reader: StreamReader;
  readonly #loop: LoopLike;
  readonly #clientConnected: ClientConnected | null;
  readonly #closed: Future<void>;
  #transport: Transport | null = null;
  #task: Task<unknown> | null = null;
  #overSsl = false;
  #paused = false;
  #lost = false;
  readonly #drainWaiters = new Waiters<void>(this);

  /**
   * Create the protocol of `reader`.
   *
   * @param reader The reader fed by this protocol.
   * @param clientConnected Called with the reader and a new writer once the
   *   connection is made (servers); its coroutine runs in its own task.
   * @param options.loop The loop; default the running loop.
   */
  constructor(
    reader: StreamReader,
    clientConnected?: ClientConnected | null,
    options?: { loop?: LoopLike },
  ) {
    this.#reader = reader;
    this.#clientConnected = clientConnected ?? null;
    this.#closed = new Future<void>(
      options?.loop ? { loop: options.loop } : undefined,
    );
    this.#loop = this.#closed.getLoop();
  }

  /** The client task `startServer` runs for this connection, if any. */
  get task(): Task<unknown> | null {
    return this.#task;
  }

  /** @internal The transport calls it once connected. */
  connectionMade(transport: Transport): void {
    this.#transport = transport;
    this.#reader.setTransport(transport);
    this.#overSsl = transport.getExtraInfo("sslcontext") != null;
    const cb = this.#clientConnected;
    if (cb === null) return;
    const writer = new StreamWriter(transport, this, this.#reader);
    const reader = this.#reader;
    const loop = this.#loop;
    // A generator function's coroutine is a generator task (the fast path);
    // anything else runs inside a task so async functions are cancellable.
    const task = isGeneratorFunction(cb)
      ? new Task(cb(reader, writer) as Coro<unknown>, { loop })
      : new Task(() => cb(reader, writer) as PromiseLike<unknown>, { loop });
    this.#task = task;
    task.addDoneCallback(() => {
      if (task.cancelled()) {
        transport.close();
        return;
      }
      const exc = task.exception();
      if (exc !== undefined) {
        // Never kills the server: reported, and this connection closed.
        loop.callExceptionHandler({
          message: "Unhandled exception in client_connected_cb",
          exception: exc,
          transport,
        });
        transport.close();
      }
    });
  }

  /**
   * @internal The transport receives into this (the BufferedProtocol
   * path): the free tail of the receive slab every stream of the thread
   * shares, sized so a single receive cannot take the reader past its
   * bound.
   */
  getBuffer(_sizeHint: number): Uint8Array {
    return receiveTarget(this.#reader[_room](MAX_RECEIVE));
  }

  /**
   * @internal `n` bytes were received into the buffer: kept where they are
   * (a large read) or copied (a small one), and fed to the reader.
   */
  bufferUpdated(n: number): void {
    this.#reader.feedData(keepTarget(n));
  }

  /** @internal Bytes received: fed to the reader. */
  dataReceived(data: Uint8Array): void {
    this.#reader.feedData(data);
  }

  /**
   * @internal The peer closed its side: EOF for the reader; the transport
   * stays open for writing (half-close), except over TLS.
   */
  eofReceived(): boolean {
    this.#reader.feedEof();
    return !this.#overSsl;
  }

  /** @internal The connection is gone: EOF or the error for every waiter. */
  connectionLost(exc: Error | null): void {
    if (exc === null) this.#reader.feedEof();
    else this.#reader.setException(exc);
    if (!this.#closed.done()) {
      if (exc === null) {
        this.#closed.setResult(undefined);
      } else {
        this.#closed.setException(exc);
        // Marked retrieved: the error is the reads' and drain()'s to report,
        // not a "never retrieved" warning when nobody calls waitClosed().
        this.#closed.exception();
      }
    }
    this.#lost = true;
    if (this.#paused) {
      if (exc === null) this.#drainWaiters.wakeAll(undefined);
      else this.#drainWaiters.failAll(() => exc);
    }
    this.#transport = null;
  }

  /** @internal The transport's buffer is over its high-water mark. */
  pauseWriting(): void {
    this.#paused = true;
  }

  /** @internal The transport's buffer drained: wake every drain(). */
  resumeWriting(): void {
    this.#paused = false;
    this.#drainWaiters.wakeAll(undefined);
  }

  /**
   * @internal What `StreamWriter.drain()` waits on.
   * @ignore
   */
  [_drainHelper](): Awaitable<void> {
    if (this.#lost) {
      return failed(
        new ConnectionResetError(errnoOf("ECONNRESET"), "Connection lost"),
      );
    }
    if (!this.#paused) return ready(undefined);
    const fut = this.#drainWaiters.add("drain a StreamWriter");
    return new Wait<void>(fut, null, null);
  }

  /**
   * @internal What `StreamWriter.waitClosed()` waits on.
   * @ignore
   */
  [_closeWaiter](): Future<void> {
    return this.#closed;
  }

  /**
   * @internal Whether this is a server's connection (startTls side).
   * @ignore
   */
  [_isServerSide](): boolean {
    return this.#clientConnected !== null;
  }

  /**
   * @internal `startTls()` put a TLS transport in place.
   * @ignore
   */
  [_replaceTransport](transport: Transport): void {
    this.#transport = transport;
    this.#overSsl = transport.getExtraInfo("sslcontext") != null;
  }

  /**
   * @internal The loop of this connection.
   * @ignore
   */
  [_loop](): LoopLike {
    return this.#loop;
  }
}

function isGeneratorFunction(fn: unknown): boolean {
  return Object.prototype.toString.call(fn) === "[object GeneratorFunction]";
}
