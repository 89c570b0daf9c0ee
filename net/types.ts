/**
 * The contracts of asyncio's networking layer: socket addresses, the
 * transport interfaces (`BaseTransport`, `ReadTransport`, `WriteTransport`,
 * `Transport`, `DatagramTransport`, `SubprocessTransport`) and the protocol
 * interfaces a transport drives. Every transport of this module (sockets,
 * pipes, TLS, subprocess pipes) implements one of these; every protocol
 * (streams, TLS, a user's own) is called only through them.
 *
 * Names and meanings are asyncio's (`asyncio.transports`, `asyncio.protocols`)
 * in TypeScript case; asyncio's documentation describes them.
 *
 * @module
 */

/**
 * A socket address, as asyncio gives and takes them: `[host, port]` for IPv4,
 * `[host, port, flowinfo, scopeId]` for IPv6, a path string for a Unix socket
 * (an abstract name starts with `"\0"`).
 *
 * @example
 * ```ts
 * import type { SocketAddress } from "./types.ts";
 * const v4: SocketAddress = ["127.0.0.1", 8888];
 * const v6: SocketAddress = ["::1", 8888, 0, 0];
 * const unix: SocketAddress = "/tmp/echo.sock";
 * console.log(v4, v6, unix);
 * ```
 */
export type SocketAddress =
  | string
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scopeId: number];

/**
 * What every transport has: extra info, closing, and its protocol.
 *
 * @example
 * ```ts
 * import type { BaseTransport } from "./types.ts";
 * function peer(t: BaseTransport): unknown {
 *   return t.getExtraInfo("peername");
 * }
 * console.log(typeof peer);
 * ```
 */
export interface BaseTransport {
  /**
   * Optional information about the transport: `"peername"`, `"sockname"`,
   * `"socket"`, `"pipe"`, `"sslcontext"`, ...; `defaultValue` when unknown.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  /** Whether the transport is closing or closed. */
  isClosing(): boolean;
  /**
   * Close the transport: buffered data is flushed, then the protocol's
   * `connectionLost(null)` is called. Idempotent.
   */
  close(): void;
  /** Hand the transport to another protocol. */
  setProtocol(protocol: BaseProtocol): void;
  /** The protocol this transport drives. */
  getProtocol(): BaseProtocol;
}

/**
 * The read side of a transport: reading can be paused and resumed.
 *
 * @example
 * ```ts
 * import type { ReadTransport } from "./types.ts";
 * function pause(t: ReadTransport): void {
 *   if (t.isReading()) t.pauseReading();
 * }
 * console.log(typeof pause);
 * ```
 */
export interface ReadTransport extends BaseTransport {
  /** Whether the transport is receiving (not paused, not closed). */
  isReading(): boolean;
  /** Stop calling the protocol's `dataReceived` until `resumeReading()`. */
  pauseReading(): void;
  /** Resume calling `dataReceived`. */
  resumeReading(): void;
}

/**
 * The write side of a transport: buffered writes with flow control.
 *
 * `write` never blocks and never fails for lack of buffer space: data that
 * cannot be sent at once is buffered. When the buffer grows past the high
 * water mark the protocol's `pauseWriting()` is called, and `resumeWriting()`
 * once it drains below the low water mark.
 *
 * @example
 * ```ts
 * import type { WriteTransport } from "./types.ts";
 * function send(t: WriteTransport, text: string): void {
 *   t.write(new TextEncoder().encode(text));
 * }
 * console.log(typeof send);
 * ```
 */
export interface WriteTransport extends BaseTransport {
  /**
   * Set the water marks in bytes (asyncio's defaults: high 64 KiB, low a
   * quarter of high).
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /** Bytes buffered and not yet sent. */
  getWriteBufferSize(): number;
  /** The water marks as `[low, high]`, as asyncio returns them. */
  getWriteBufferLimits(): [low: number, high: number];
  /** Send `data` (copied or sent before returning: the caller may reuse it). */
  write(data: Uint8Array): void;
  /** Send every buffer of `list`, in order. */
  writelines(list: Iterable<Uint8Array>): void;
  /** Close the write side after buffered data is sent (half-close). */
  writeEof(): void;
  /** Whether `writeEof()` is supported. */
  canWriteEof(): boolean;
  /** Close at once: buffered data is lost; `connectionLost(null)` follows. */
  abort(): void;
}

/**
 * A bidirectional stream transport (TCP, Unix stream, TLS, a pipe pair).
 *
 * @example
 * ```ts
 * import type { Transport } from "./types.ts";
 * function echo(t: Transport, data: Uint8Array): void {
 *   t.write(data);
 * }
 * console.log(typeof echo);
 * ```
 */
export interface Transport extends ReadTransport, WriteTransport {}

/**
 * A datagram (UDP, Unix datagram) transport.
 *
 * @example
 * ```ts
 * import type { DatagramTransport } from "./types.ts";
 * function ping(t: DatagramTransport): void {
 *   t.sendto(new Uint8Array([1]), ["127.0.0.1", 9999]);
 * }
 * console.log(typeof ping);
 * ```
 */
export interface DatagramTransport extends BaseTransport {
  /**
   * Send one datagram to `addr`, or to the connected peer when omitted.
   */
  sendto(data: Uint8Array, addr?: SocketAddress): void;
  /** Close at once, dropping buffered datagrams. */
  abort(): void;
  /** Bytes of datagrams buffered and not yet sent. */
  getWriteBufferSize(): number;
}

/**
 * The transport of a child process: its pipes and its exit.
 *
 * @example
 * ```ts
 * import type { SubprocessTransport } from "./types.ts";
 * function stop(t: SubprocessTransport): void {
 *   if (t.getReturncode() === null) t.terminate();
 * }
 * console.log(typeof stop);
 * ```
 */
export interface SubprocessTransport extends BaseTransport {
  /** The child's process id. */
  getPid(): number;
  /**
   * The exit status: `null` while running, the exit code, or minus the
   * signal number that killed it (as Python).
   */
  getReturncode(): number | null;
  /** The transport of pipe `fd` (0, 1 or 2), or null when not piped. */
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null;
  /** Send signal `signal` (a number or a name like `"SIGTERM"`). */
  sendSignal(signal: number | string): void;
  /** Send SIGTERM. */
  terminate(): void;
  /** Send SIGKILL. */
  kill(): void;
}

/**
 * What a transport calls on every protocol.
 *
 * @example
 * ```ts
 * import type { BaseProtocol } from "./types.ts";
 * const p: BaseProtocol = {
 *   connectionMade() {},
 *   connectionLost(exc) {
 *     if (exc) console.error(exc);
 *   },
 * };
 * console.log(typeof p.connectionMade);
 * ```
 */
export interface BaseProtocol {
  /** The connection is made; `transport` is now the protocol's to use. */
  connectionMade?(transport: BaseTransport): void;
  /**
   * The connection is lost or closed: `exc` is null on a clean close (EOF,
   * `close()`), else the error (a typed `OSError`).
   */
  connectionLost?(exc: Error | null): void;
  /** The transport's write buffer went past its high water mark. */
  pauseWriting?(): void;
  /** The transport's write buffer drained below its low water mark. */
  resumeWriting?(): void;
}

/**
 * A stream protocol: data arrives in `dataReceived`.
 *
 * @example
 * ```ts
 * import type { Protocol, Transport } from "./types.ts";
 * class Echo implements Protocol {
 *   #t?: Transport;
 *   connectionMade(t: Transport) {
 *     this.#t = t;
 *   }
 *   dataReceived(data: Uint8Array) {
 *     this.#t!.write(data);
 *   }
 * }
 * console.log(new Echo());
 * ```
 */
export interface Protocol extends BaseProtocol {
  /** `connectionMade` of a stream transport receives a `Transport`. */
  connectionMade?(transport: Transport): void;
  /**
   * Bytes received. `data` stays valid after the call (the protocol may keep
   * it). Differs from asyncio for a JS reason: `data` is a view of a slab
   * shared with other reads (no allocation of its own per read, as Node's
   * Buffer pool), so use `data` itself, never all of `data.buffer`; keeping
   * it keeps that slab (64 KiB for a read up to 4 KiB, else 256 KiB) alive,
   * and `data.slice()` makes a copy of its own.
   */
  dataReceived(data: Uint8Array): void;
  /**
   * The peer closed its write side. Return `true` to keep the transport
   * open for writing (half-close); otherwise it closes itself.
   */
  eofReceived?(): boolean | void;
}

/**
 * A stream protocol that supplies its own receive buffer (zero copy).
 *
 * @example
 * ```ts
 * import type { BufferedProtocol } from "./types.ts";
 * const buf = new Uint8Array(65536);
 * let total = 0;
 * const p: BufferedProtocol = {
 *   getBuffer: () => buf,
 *   bufferUpdated: (n) => {
 *     total += n;
 *   },
 * };
 * console.log(typeof p.getBuffer, total);
 * ```
 */
export interface BufferedProtocol extends BaseProtocol {
  /** `connectionMade` of a stream transport receives a `Transport`. */
  connectionMade?(transport: Transport): void;
  /**
   * A buffer to receive into; `sizeHint` is the recommended minimum size
   * (-1: any). Must be non-empty.
   */
  getBuffer(sizeHint: number): Uint8Array;
  /** `nbytes` were written at the start of the last buffer returned. */
  bufferUpdated(nbytes: number): void;
  /** As `Protocol.eofReceived`. */
  eofReceived?(): boolean | void;
}

/**
 * What a stream transport drives: a `Protocol` or a `BufferedProtocol`.
 *
 * @example
 * ```ts
 * import type { StreamProtocol } from "./types.ts";
 * const p: StreamProtocol = { dataReceived() {} };
 * console.log(typeof p);
 * ```
 */
export type StreamProtocol = Protocol | BufferedProtocol;

/**
 * A datagram protocol.
 *
 * @example
 * ```ts
 * import type { DatagramProtocol, DatagramTransport } from "./types.ts";
 * class EchoUdp implements DatagramProtocol {
 *   #t?: DatagramTransport;
 *   connectionMade(t: DatagramTransport) {
 *     this.#t = t;
 *   }
 *   datagramReceived(data: Uint8Array, addr: unknown) {
 *     this.#t!.sendto(data, addr as [string, number]);
 *   }
 * }
 * console.log(new EchoUdp());
 * ```
 */
export interface DatagramProtocol extends BaseProtocol {
  /** `connectionMade` of a datagram transport receives a `DatagramTransport`. */
  connectionMade?(transport: DatagramTransport): void;
  /**
   * One datagram from `addr`; `data` stays valid after the call (a small
   * one may be a view of a shared slab, as in `Protocol.dataReceived`).
   */
  datagramReceived(data: Uint8Array, addr: SocketAddress): void;
  /** A send or receive failed (e.g. ECONNREFUSED from an ICMP error). */
  errorReceived?(exc: Error): void;
}

/**
 * The protocol of a child process.
 *
 * @example
 * ```ts
 * import type { SubprocessProtocol } from "./types.ts";
 * const out: Uint8Array[] = [];
 * const p: SubprocessProtocol = {
 *   pipeDataReceived: (fd, data) => {
 *     if (fd === 1) out.push(data);
 *   },
 *   processExited: () => console.log("exited"),
 * };
 * console.log(typeof p.pipeDataReceived);
 * ```
 */
export interface SubprocessProtocol extends BaseProtocol {
  /** `connectionMade` receives the `SubprocessTransport`. */
  connectionMade?(transport: SubprocessTransport): void;
  /** Data from the child's stdout (1) or stderr (2). */
  pipeDataReceived?(fd: number, data: Uint8Array): void;
  /** Pipe `fd` of the child was closed. */
  pipeConnectionLost?(fd: number, exc: Error | null): void;
  /** The child exited. */
  processExited?(): void;
}
