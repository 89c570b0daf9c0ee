/**
 * `Server`: what `createServer`/`createUnixServer` return, asyncio's
 * `Server` — listening sockets that accept connections into transports,
 * with `serveForever`, `startServing`, `isServing`, `close`, `waitClosed`,
 * `closeClients`, `abortClients`, `sockets` and `[Symbol.asyncDispose]`.
 *
 * Accepting: up to `backlog` connections per readiness. When the process
 * runs out of fds (EMFILE, ENFILE) or memory (ENOBUFS, ENOMEM), the error
 * goes to the loop's exception handler and the server stops accepting for
 * one second, then resumes — as asyncio, so the connections it holds can
 * finish and free fds instead of the loop spinning on a readable socket.
 *
 * @module
 */

import { CancelledError, RuntimeError } from "../futures/errors.ts";
import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import type { HandleLike } from "../futures/_loop.ts";
import { errnoName, OSError } from "../poll/errors.ts";
import { acceptOrAgain, closeQuietly, listen } from "../poll/socket.ts";
import type { NetLoop } from "./_loop.ts";
import type { Socket } from "./socket.ts";
import { type SslPlan, wrapForSsl } from "./_tls.ts";
import { SocketTransport } from "./stream_transport.ts";
import type { SocketAddress, StreamProtocol, Transport } from "./types.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _attach: typeof netKeys._attach = netKeys._attach;
const _detach: typeof netKeys._detach = netKeys._detach;
const _onClose: typeof netKeys._onClose = netKeys._onClose;

/** asyncio's `ACCEPT_RETRY_DELAY`: seconds to stop accepting on EMFILE. */
export const ACCEPT_RETRY_DELAY = 1;
const OUT_OF_RESOURCES = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/**
 * A listening server.
 *
 * @example Serve, connect once, close
 * ```ts
 * import { createConnection, createServer, getRunningLoop, run } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* createServer(loop, () => ({ dataReceived() {} }), "127.0.0.1", 0);
 *   assert.ok(server.isServing());
 *   const [, port] = server.sockets[0].getsockname() as [string, number];
 *   const [t] = yield* createConnection(loop, () => ({ dataReceived() {} }), "127.0.0.1", port);
 *   t.close();
 *   server.close();
 *   yield* server.waitClosed();
 * });
 * ```
 */
export class Server implements AsyncDisposable {
  readonly #loop: NetLoop;
  readonly #factory: () => StreamProtocol;
  readonly #backlog: number;
  readonly #tls: SslPlan | null;
  #sockets: Socket[] | null;
  #serving = false;
  #servingForever: Future<void> | null = null;
  #waiters: Future<void>[] | null = [];
  readonly #clients = new Set<Transport>();
  readonly #retries = new Set<HandleLike>();
  readonly #onClose: Array<() => void> = [];

  /** Use `createServer()`. @internal */
  constructor(
    loop: NetLoop,
    sockets: Socket[],
    protocolFactory: () => StreamProtocol,
    backlog: number,
    tls: SslPlan | null = null,
  ) {
    this.#tls = tls;
    this.#loop = loop;
    this.#sockets = sockets;
    this.#factory = protocolFactory;
    this.#backlog = backlog;
  }

  /** The loop the server runs on. */
  getLoop(): NetLoop {
    return this.#loop;
  }

  /** The listening sockets (empty once closed). */
  get sockets(): Socket[] {
    return this.#sockets === null ? [] : [...this.#sockets];
  }

  /** Whether the server accepts connections. */
  isServing(): boolean {
    return this.#serving;
  }

  /**
   * Start accepting (idempotent). The Future resolves on the next
   * iteration, as asyncio's coroutine.
   *
   * @throws {RuntimeError} once the server is closed.
   */
  startServing(): Future<void> {
    this.#startServing();
    const fut = this.#loop.createFuture<void>();
    this.#loop.callSoon(() => {
      if (!fut.done()) fut.setResult(undefined);
    });
    return fut;
  }

  #startServing(): void {
    const sockets = this.#sockets;
    if (sockets === null) {
      throw new RuntimeError("Cannot start serving: the server is closed");
    }
    if (this.#serving) return;
    this.#serving = true;
    for (const sock of sockets) {
      listen(sock.fileno(), this.#backlog);
      this.#watch(sock);
    }
  }

  #watch(sock: Socket): void {
    this.#loop.addReader(sock.fileno(), () => this.#accept(sock));
  }

  #accept(sock: Socket): void {
    const peer: { addr: SocketAddress } = { addr: "" };
    for (let i = 0; i < this.#backlog; i++) {
      let fd: number;
      try {
        fd = acceptOrAgain(sock.fileno(), peer);
      } catch (err) {
        this.#acceptFailed(sock, err);
        return;
      }
      if (fd === -1) return;
      this.#connection(fd, sock, peer.addr);
    }
  }

  #acceptFailed(sock: Socket, err: unknown): void {
    if (!(err instanceof OSError)) throw err;
    const name = errnoName(err.errno);
    // The client gave up before we accepted: nothing to do.
    if (name === "ECONNABORTED" || name === "EPROTO") return;
    this.#loop.callExceptionHandler({
      message: OUT_OF_RESOURCES.has(name)
        ? "socket.accept() out of system resource"
        : "socket.accept() failed",
      exception: err,
      socket: sock,
    });
    if (!OUT_OF_RESOURCES.has(name)) return;
    this.#loop.removeReader(sock.fileno());
    const h = this.#loop.callLater(ACCEPT_RETRY_DELAY, () => {
      this.#retries.delete(h);
      if (this.#sockets !== null && this.#serving) this.#watch(sock);
    });
    this.#retries.add(h);
  }

  // `fd` was just accepted on `listener`; its Socket object is made only if
  // "socket" is asked for (an idle connection holds none).
  #connection(fd: number, listener: Socket, peername: SocketAddress): void {
    let protocol: StreamProtocol;
    try {
      protocol = this.#factory();
    } catch (err) {
      closeQuietly(fd);
      this.#loop.callExceptionHandler({
        message: "Error in the protocol factory of a server",
        exception: err,
      });
      return;
    }
    if (this.#tls !== null) {
      try {
        protocol = wrapForSsl(this.#loop, protocol, this.#tls).protocol;
      } catch (err) {
        closeQuietly(fd);
        this.#loop.callExceptionHandler({
          message: "Error setting up TLS for an accepted connection",
          exception: err,
        });
        return;
      }
    }
    new SocketTransport(this.#loop, fd, protocol, {
      listener,
      peername,
      server: this,
    });
  }

  /**
   * Stop listening and close the listening sockets. Connections stay open
   * (as asyncio 3.12+): use `closeClients()`/`abortClients()` to end them,
   * and `waitClosed()` to wait until they are gone. Idempotent.
   */
  close(): void {
    const sockets = this.#sockets;
    if (sockets === null) return;
    this.#sockets = null;
    for (const sock of sockets) {
      if (this.#serving) this.#loop.removeReader(sock.fileno());
      sock.close();
    }
    for (const h of this.#retries) h.cancel();
    this.#retries.clear();
    this.#serving = false;
    const forever = this.#servingForever;
    if (forever !== null && !forever.done()) forever.cancel();
    for (const hook of this.#onClose.splice(0)) hook();
    if (this.#clients.size === 0) this.#wakeup();
  }

  /** Close every connection of this server (buffered data is flushed). */
  closeClients(): void {
    for (const t of [...this.#clients]) t.close();
  }

  /** Abort every connection of this server (buffered data is dropped). */
  abortClients(): void {
    for (const t of [...this.#clients]) t.abort();
  }

  /**
   * Resolves once the server is closed and all its connections are gone
   * (at once if that is already so).
   */
  waitClosed(): Future<void> {
    const fut = this.#loop.createFuture<void>();
    if (this.#waiters === null) fut.setResult(undefined);
    else this.#waiters.push(fut);
    return fut;
  }

  /**
   * Accept connections until cancelled; cancelling closes the server and
   * waits for it to be closed.
   *
   * @throws {RuntimeError} when already serving forever or closed.
   */
  serveForever(): Task<void> {
    if (this.#servingForever !== null) {
      throw new RuntimeError(
        "Cannot serve forever: serveForever() is already running",
      );
    }
    if (this.#sockets === null) {
      throw new RuntimeError("Cannot serve forever: the server is closed");
    }
    this.#startServing();
    const forever = this.#loop.createFuture<void>();
    this.#servingForever = forever;
    const closeAndWait = (): Future<void> => {
      this.close();
      return this.waitClosed();
    };
    const done = (): void => {
      this.#servingForever = null;
    };
    return new Task(function* () {
      try {
        yield* forever;
      } catch (err) {
        if (err instanceof CancelledError) yield* closeAndWait();
        throw err;
      } finally {
        done();
      }
    }, { loop: this.#loop });
  }

  /** Close, then wait until closed (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }

  /**
   * Run `hook` when the server closes (Unix servers unlink their path). @internal
   * @ignore
   */
  [_onClose](hook: () => void): void {
    this.#onClose.push(hook);
  }

  /**
   * A transport of this server started. @internal
   * @ignore
   */
  [_attach](t: Transport): void {
    this.#clients.add(t);
  }

  /**
   * A transport of this server is gone. @internal
   * @ignore
   */
  [_detach](t: Transport): void {
    this.#clients.delete(t);
    if (this.#clients.size === 0 && this.#sockets === null) this.#wakeup();
  }

  #wakeup(): void {
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters === null) return;
    for (const w of waiters) if (!w.done()) w.setResult(undefined);
  }

  /** For the console. */
  toString(): string {
    return `Server(sockets=${this.sockets.map((s) => s.fileno()).join(",")})`;
  }
}
