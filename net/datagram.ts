/**
 * Datagram endpoints: `createDatagramEndpoint` and its transport, as
 * asyncio's `loop.create_datagram_endpoint` and `_SelectorDatagramTransport`
 * (UDP over IPv4/IPv6, Unix datagram sockets). Per readiness, UDP
 * endpoints on Linux receive up to 4 datagrams with one `recvmmsg` into
 * 64 KiB slots of the thread's shared read buffer (others one `recvfrom`),
 * each copied out for `datagramReceived`; `sendto` sends at once when nothing is queued and
 * queues (a copy) otherwise, with the write-buffer limits of every
 * transport. OS errors of single datagrams (ECONNREFUSED from an ICMP
 * error, EMSGSIZE) go to the protocol's `errorReceived` and the endpoint
 * stays open, as asyncio.
 *
 * @module
 */

import { RuntimeError } from "../futures/errors.ts";
import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import { OSError } from "../poll/errors.ts";
import { os } from "../poll/_libc.ts";
import type { AddrInfo } from "../poll/getaddrinfo.ts";
import { encodeSockaddr } from "../poll/sockaddr.ts";
import {
  DatagramBatch,
  getpeername,
  getsockname,
  getsockoptInt,
  recvfromOrAgain,
  sendtoOrAgain,
} from "../poll/socket.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  SO_BROADCAST,
  SO_REUSEPORT,
  SO_TYPE,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "../poll/socket_constants.ts";
import type { NetLoop } from "./_loop.ts";
import { FdTransportBase } from "./_transport_base.ts";
import { checkFamilyIp } from "./connection.ts";
import { getaddrinfo } from "./resolve.ts";
import { sockConnect } from "./sock_ops.ts";
import { Socket } from "./socket.ts";
import { keepReceived } from "./_received.ts";
import { readBuffer } from "./stream_transport.ts";
import type {
  DatagramProtocol,
  DatagramTransport,
  SocketAddress,
} from "./types.ts";
import * as futureKeys from "../futures/_keys.ts";
import * as netKeys from "./_keys.ts";
import * as tlsKeys from "../tls/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _start: typeof futureKeys._start = futureKeys._start;
const _loop: typeof netKeys._loop = netKeys._loop;
const _release: typeof tlsKeys._release = tlsKeys._release;

/**
 * Options of {@linkcode createDatagramEndpoint}.
 *
 * @example
 * ```ts
 * import type { CreateDatagramEndpointOptions } from "../mod.ts";
 * const opts: CreateDatagramEndpointOptions = { localAddr: ["127.0.0.1", 0] };
 * console.log(opts);
 * ```
 */
export interface CreateDatagramEndpointOptions {
  /** Bind to this address (`[host, port]`, or a path for AF_UNIX). */
  localAddr?: SocketAddress;
  /** Connect to this address: `sendto` then needs no address. */
  remoteAddr?: SocketAddress;
  /** AF_INET, AF_INET6, AF_UNIX, or AF_UNSPEC (from the addresses). */
  family?: number;
  /** Protocol for getaddrinfo (0). */
  proto?: number;
  /** getaddrinfo flags (0). */
  flags?: number;
  /** SO_REUSEPORT (default false). */
  reusePort?: boolean;
  /** SO_BROADCAST: allow sending to broadcast addresses (default false). */
  allowBroadcast?: boolean;
  /** Use this datagram socket (a `Socket` or an fd) instead. */
  sock?: Socket | number;
}

let batch: DatagramBatch | null | undefined;

/** The thread's recvmmsg slots over the shared read buffer, or null. */
function sharedBatch(): DatagramBatch | null {
  if (batch === undefined) {
    const buf = readBuffer();
    batch = os === "linux" ? new DatagramBatch(buf, buf.length / 65536) : null;
  }
  return batch;
}

/**
 * A datagram transport over a non-blocking socket.
 * @internal
 */
export class DatagramSocketTransport extends FdTransportBase<DatagramProtocol>
  implements DatagramTransport {
  readonly #sock: Socket;
  readonly #fd: number;
  readonly #address: SocketAddress | null;
  readonly #batch: DatagramBatch | null;
  #userClosed = false;
  #queue: Array<[Uint8Array, Uint8Array | null]> = [];
  #queued = 0;
  #writing = false;
  readonly #onReadable = (): void => this.#readReady();
  readonly #onWritable = (): void => this.#writeReady();

  constructor(
    loop: NetLoop,
    sock: Socket,
    protocol: DatagramProtocol,
    address: SocketAddress | null,
    waiter: Future<void> | null,
  ) {
    const extra: Record<string, unknown> = { socket: sock };
    try {
      extra.sockname = getsockname(sock.fileno());
    } catch {
      extra.sockname = null;
    }
    try {
      extra.peername = getpeername(sock.fileno());
    } catch {
      extra.peername = null;
    }
    super(loop, protocol, extra);
    this.#sock = sock;
    this.#fd = sock.fileno();
    this.#address = address;
    // UDP datagrams fit a 64 KiB slot (65,507 bytes at most); Unix ones
    // may be larger, so they are read one at a time.
    this.#batch = (sock.family === AF_INET || sock.family === AF_INET6)
      ? sharedBatch()
      : null;
    this[_start](waiter, () => {
      if (!this._closing) loop.addReader(this.#fd, this.#onReadable);
    });
  }

  /** Bytes of datagrams queued and not yet sent. */
  getWriteBufferSize(): number {
    return this.#queued;
  }

  #readReady(): void {
    if (this._connLost !== 0) return;
    if (this.#batch !== null) {
      this.#readBatch(this.#batch);
      return;
    }
    const buf = readBuffer();
    const from: { addr: SocketAddress } = { addr: "" };
    let n: number;
    try {
      n = recvfromOrAgain(this.#fd, buf, from);
    } catch (err) {
      if (err instanceof OSError) this.#errorReceived(err);
      else this._fatalError(err, "Fatal read error on datagram transport");
      return;
    }
    if (n === -1) return;
    try {
      this._protocol.datagramReceived(keepReceived(buf, n), from.addr);
    } catch (err) {
      this._fatalError(
        err,
        "Fatal error: protocol.datagramReceived() call failed",
      );
    }
  }

  /** Up to 4 datagrams per readiness with one recvmmsg (Linux, UDP). */
  #readBatch(batch: DatagramBatch): void {
    let n: number;
    try {
      n = batch.receive(this.#fd);
    } catch (err) {
      if (err instanceof OSError) this.#errorReceived(err);
      else this._fatalError(err, "Fatal read error on datagram transport");
      return;
    }
    // Copy everything out first: a callback may receive again (sockRecv
    // tries at once), which reuses the shared buffer and slots.
    const got: Array<[Uint8Array, SocketAddress]> = [];
    for (let i = 0; i < n; i++) got.push([batch.data(i), batch.from(i)]);
    for (const [data, from] of got) {
      if (this._connLost !== 0) return;
      try {
        this._protocol.datagramReceived(data, from);
      } catch (err) {
        this._fatalError(
          err,
          "Fatal error: protocol.datagramReceived() call failed",
        );
        return;
      }
    }
  }

  #errorReceived(err: OSError): void {
    try {
      this._protocol.errorReceived?.(err);
    } catch (e) {
      this._fatalError(e, "Fatal error: protocol.errorReceived() call failed");
    }
  }

  /**
   * Send one datagram to `addr` (or to the connected peer).
   *
   * @throws {TypeError} for data that is not a Uint8Array, or no address on
   *   an unconnected endpoint; {RangeError} for an address other than the
   *   connected peer's; {RuntimeError} after `close()`/`abort()`.
   */
  sendto(data: Uint8Array, addr?: SocketAddress): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError("Cannot send a datagram: data must be a Uint8Array");
    }
    let sa: Uint8Array | null = null;
    if (this.#address !== null) {
      if (
        addr !== undefined &&
        JSON.stringify(addr) !== JSON.stringify(this.#address)
      ) {
        throw new RangeError(
          `Cannot send a datagram: the endpoint is connected to ${
            JSON.stringify(this.#address)
          }, give no address or that one`,
        );
      }
    } else if (addr === undefined) {
      throw new TypeError(
        "Cannot send a datagram: the endpoint is not connected, give an address",
      );
    } else {
      sa = encodeSockaddr(this.#sock.family, addr);
    }
    if (this.#userClosed) {
      throw new RuntimeError("Cannot send a datagram: the transport is closed");
    }
    if (this._connLost !== 0) return;
    if (this.#queue.length === 0) {
      let n: number;
      try {
        n = sendtoOrAgain(this.#fd, data, sa);
      } catch (err) {
        if (err instanceof OSError) this.#errorReceived(err);
        else this._fatalError(err, "Fatal write error on datagram transport");
        return;
      }
      if (n !== -1) return;
      this.#writing = true;
      this[_loop].addWriter(this.#fd, this.#onWritable);
    }
    this.#queue.push([data.slice(), sa]);
    this.#queued += data.length;
    this._maybePauseProtocol();
  }

  #writeReady(): void {
    if (this._connLost !== 0) return;
    while (this.#queue.length > 0) {
      const [data, sa] = this.#queue[0];
      let n: number;
      try {
        n = sendtoOrAgain(this.#fd, data, sa);
      } catch (err) {
        this.#queue.shift();
        this.#queued -= data.length;
        if (err instanceof OSError) {
          this.#errorReceived(err);
          continue;
        }
        this._fatalError(err, "Fatal write error on datagram transport");
        return;
      }
      if (n === -1) break;
      this.#queue.shift();
      this.#queued -= data.length;
    }
    this._maybeResumeProtocol();
    if (this.#queue.length > 0) return;
    this.#stopWriting();
    if (this._closing) this._scheduleConnectionLost(null);
  }

  #stopWriting(): void {
    if (!this.#writing) return;
    this.#writing = false;
    this[_loop].removeWriter(this.#fd);
  }

  /** Send what is queued, then close; `connectionLost(null)` follows. */
  close(): void {
    if (this._closing) return;
    this._closing = true;
    this.#userClosed = true;
    this[_loop].removeReader(this.#fd);
    if (this.#queue.length === 0) this._scheduleConnectionLost(null);
  }

  /** Close at once, dropping what is queued. */
  abort(): void {
    this.#userClosed = true;
    this._forceClose(null);
  }

  protected _forceClose(exc: Error | null): void {
    if (this._connLost !== 0) return;
    this.#queue = [];
    this.#queued = 0;
    this.#stopWriting();
    if (!this._closing) {
      this._closing = true;
      this[_loop].removeReader(this.#fd);
    }
    this._scheduleConnectionLost(exc);
  }

  protected [_release](): void {
    this.#stopWriting();
    this[_loop].removeReader(this.#fd);
    this.#sock.close();
  }
}

/**
 * A datagram endpoint: `[transport, protocol]`, bound to `localAddr`
 * and/or connected to `remoteAddr`, or on an adopted `sock`.
 *
 * @throws {TypeError} for `sock` together with addresses, or a socket that
 *   is not SOCK_DGRAM; {RangeError} for a bad family or port. Through the
 *   Future: the OSError of bind/connect naming the address.
 *
 * @example A UDP ping to ourselves
 * ```ts
 * import { createDatagramEndpoint, getRunningLoop, run, type SocketAddress } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const got = await run(function* () {
 *   const loop = getRunningLoop();
 *   const done = loop.createFuture<Uint8Array>();
 *   const [t] = yield* createDatagramEndpoint(loop, () => ({
 *     datagramReceived: (d: Uint8Array, _a: SocketAddress) => done.setResult(d),
 *   }), { localAddr: ["127.0.0.1", 0] });
 *   t.sendto(new Uint8Array([1, 2]), t.getExtraInfo("sockname") as SocketAddress);
 *   const d = yield* done;
 *   t.close();
 *   return d;
 * });
 * assert.deepEqual(got, new Uint8Array([1, 2]));
 * ```
 */
export function createDatagramEndpoint<P extends DatagramProtocol>(
  loop: NetLoop,
  protocolFactory: () => P,
  options: CreateDatagramEndpointOptions = {},
): Future<[DatagramTransport, P]> {
  const action = "create a datagram endpoint";
  const { localAddr, remoteAddr } = options;
  if (options.sock !== undefined) {
    if (
      localAddr !== undefined || remoteAddr !== undefined ||
      options.family || options.proto || options.flags ||
      options.reusePort || options.allowBroadcast
    ) {
      throw new TypeError(
        `Cannot ${action}: socket modifiers may not be specified together with sock`,
      );
    }
    const sock = adoptDgram(options.sock, action);
    let peer: SocketAddress | null = null;
    try {
      peer = getpeername(sock.fileno());
    } catch {
      peer = null;
    }
    return finish(loop, sock, protocolFactory, peer);
  }
  const family = options.family ?? AF_UNSPEC;
  if (family === AF_UNIX) {
    for (const a of [localAddr, remoteAddr]) {
      if (a !== undefined && typeof a !== "string") {
        throw new TypeError(
          `Cannot ${action}: AF_UNIX addresses are path strings`,
        );
      }
    }
    if (localAddr !== undefined) encodeSockaddr(AF_UNIX, localAddr);
    if (remoteAddr !== undefined) encodeSockaddr(AF_UNIX, remoteAddr);
  } else {
    checkFamilyIp(family, action);
    if (
      localAddr === undefined && remoteAddr === undefined &&
      family === AF_UNSPEC
    ) {
      throw new RangeError(
        `Cannot ${action}: give localAddr, remoteAddr or a family`,
      );
    }
    for (const a of [localAddr, remoteAddr]) {
      if (a !== undefined && (!Array.isArray(a) || typeof a[0] !== "string")) {
        throw new TypeError(`Cannot ${action}: addresses are [host, port]`);
      }
    }
  }
  return new Task(function* () {
    let fam = family;
    let local: SocketAddress | undefined = localAddr;
    let remote: SocketAddress | undefined = remoteAddr;
    let proto = options.proto ?? 0;
    if (family !== AF_UNIX) {
      const hints = {
        family,
        type: SOCK_DGRAM,
        proto,
        flags: options.flags ?? 0,
      };
      const resolve = function* (a: SocketAddress | undefined) {
        if (a === undefined) return null;
        const [h, p] = a as [string, number];
        return yield* getaddrinfo(loop, h, p, hints);
      };
      const li = yield* resolve(localAddr);
      const ri = yield* resolve(remoteAddr);
      const pick = pickFamily(li, ri);
      if (pick === null) {
        throw new OSError(
          0,
          `Cannot ${action}: no address family fits both addresses`,
        );
      }
      [fam, local, remote, proto] = pick;
    }
    const sock = new Socket({ family: fam, type: SOCK_DGRAM, proto });
    try {
      if (options.reusePort) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
      if (options.allowBroadcast) sock.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
      if (local !== undefined) sock.bind(local);
      if (remote !== undefined) yield* sockConnect(loop, sock, remote);
    } catch (err) {
      sock.close();
      throw err;
    }
    return yield* finish(loop, sock, protocolFactory, remote ?? null);
  }, { loop });
}

function pickFamily(
  local: AddrInfo[] | null,
  remote: AddrInfo[] | null,
):
  | [number, SocketAddress | undefined, SocketAddress | undefined, number]
  | null {
  const first = local ?? remote ?? [];
  for (const info of first) {
    const fam = info[0];
    const l = local?.find((i) => i[0] === fam);
    const r = remote?.find((i) => i[0] === fam);
    if (
      (local === null || l !== undefined) &&
      (remote === null || r !== undefined)
    ) {
      return [fam, l?.[4], r?.[4], info[2]];
    }
  }
  return null;
}

function adoptDgram(sock: Socket | number, action: string): Socket {
  const type = sock instanceof Socket
    ? sock.type
    : getsockoptInt(sock, SOL_SOCKET, SO_TYPE);
  if (type !== SOCK_DGRAM) {
    throw new TypeError(
      `Cannot ${action}: a SOCK_DGRAM socket was expected, got type ${type}`,
    );
  }
  if (sock instanceof Socket) {
    if (sock.getBlocking()) sock.setBlocking(false);
    return sock;
  }
  return new Socket({ fileno: sock });
}

function finish<P extends DatagramProtocol>(
  loop: NetLoop,
  sock: Socket,
  protocolFactory: () => P,
  address: SocketAddress | null,
): Future<[DatagramTransport, P]> {
  return new Task(function* () {
    let protocol: P;
    let transport: DatagramSocketTransport;
    const waiter = loop.createFuture<void>();
    try {
      protocol = protocolFactory();
      transport = new DatagramSocketTransport(
        loop,
        sock,
        protocol,
        address,
        waiter,
      );
    } catch (err) {
      sock.close();
      throw err;
    }
    try {
      yield* waiter;
    } catch (err) {
      transport.close();
      throw err;
    }
    return [transport, protocol] as [DatagramTransport, P];
  }, { loop });
}
