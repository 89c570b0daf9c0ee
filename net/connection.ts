/**
 * `createConnection` and `connectAcceptedSocket`: a stream transport and
 * its protocol over a new or adopted connected socket, as asyncio's
 * `loop.create_connection` (every address tried in order, optional local
 * address, Happy Eyeballs with `happyEyeballsDelay`, `interleave`).
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import { Task } from "../futures/task.ts";
import { OSError } from "../poll/errors.ts";
import type { AddrInfo } from "../poll/getaddrinfo.ts";
import { checkPort } from "../poll/sockaddr.ts";
import { getsockoptInt } from "../poll/socket.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  SO_TYPE,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../poll/socket_constants.ts";
import type { NetLoop } from "./_loop.ts";
import { staggeredRace } from "./_staggered.ts";
import { planSsl, type SslPlan, wrapForSsl } from "./_tls.ts";
import { getaddrinfo } from "./resolve.ts";
import { sockConnect } from "./sock_ops.ts";
import { Socket, withAddress } from "./socket.ts";
import { SocketTransport } from "./stream_transport.ts";
import type { StreamProtocol, Transport } from "./types.ts";

/**
 * Options of {@linkcode createConnection}.
 *
 * @example
 * ```ts
 * import type { CreateConnectionOptions } from "../mod.ts";
 * const opts: CreateConnectionOptions = { happyEyeballsDelay: 0.25 };
 * console.log(opts);
 * ```
 */
export interface CreateConnectionOptions {
  /** TLS: an `SSLContext`, or `true` for a default verifying client context. */
  ssl?: unknown;
  /** AF_INET, AF_INET6 or AF_UNSPEC (default: any). */
  family?: number;
  /** Protocol for getaddrinfo (0). */
  proto?: number;
  /** getaddrinfo flags (0). */
  flags?: number;
  /** Use this connected stream socket (a `Socket` or an fd) instead. */
  sock?: Socket | number;
  /** Bind the socket to this local `[host, port]` first. */
  localAddr?: [string, number];
  /** TLS server name (only with `ssl`; default: `host`). */
  serverHostname?: string;
  /** TLS handshake timeout (only with `ssl`). */
  sslHandshakeTimeout?: number;
  /** TLS shutdown timeout (only with `ssl`). */
  sslShutdownTimeout?: number;
  /**
   * Happy Eyeballs: start the next address after this many seconds while
   * the previous still connects (RFC 8305 suggests 0.25). Default: one at
   * a time.
   */
  happyEyeballsDelay?: number | null;
  /**
   * Reorder addresses by family, this many of the first family first
   * (default 1 when `happyEyeballsDelay` is set, else 0: keep order).
   */
  interleave?: number;
  /** Fail with an AggregateError of every attempt's error (Python's all_errors). */
  allErrors?: boolean;
}

/** Throw unless `family` is AF_UNSPEC, AF_INET or AF_INET6. @internal */
export function checkFamilyIp(family: unknown, action: string): void {
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) {
    throw new RangeError(
      `Cannot ${action}: family must be AF_UNSPEC, AF_INET or AF_INET6, got ${
        String(family)
      }`,
    );
  }
}

/**
 * Adopt `sock` (a Socket or an fd) as a stream socket, checking its type
 * before taking it over.
 * @internal
 */
export function adoptStreamSocket(
  sock: Socket | number,
  action: string,
): Socket {
  if (sock instanceof Socket) {
    if (sock.type !== SOCK_STREAM) {
      throw new TypeError(
        `Cannot ${action}: a SOCK_STREAM socket was expected, got type ${sock.type}`,
      );
    }
    if (sock.closed) {
      throw new TypeError(`Cannot ${action}: the socket is closed`);
    }
    if (sock.getBlocking()) sock.setBlocking(false);
    return sock;
  }
  if (typeof sock !== "number" || !Number.isInteger(sock) || sock < 0) {
    throw new TypeError(`Cannot ${action}: sock must be a Socket or an fd`);
  }
  const type = getsockoptInt(sock, SOL_SOCKET, SO_TYPE);
  if (type !== SOCK_STREAM) {
    throw new TypeError(
      `Cannot ${action}: a SOCK_STREAM socket was expected, fd ${sock} has type ${type}`,
    );
  }
  return new Socket({ fileno: sock });
}

/**
 * Connect to `host`:`port` (or adopt `options.sock`) and run a protocol
 * from `protocolFactory` on the new transport: `[transport, protocol]`.
 *
 * @throws {TypeError} for host/port together with `sock`, neither, or a
 *   bad `sock`; {RangeError} for a port outside 0..65535 or a bad family;
 *   TypeError for TLS options without `ssl`. Through the
 *   Future: the typed `OSError` of the connection (ConnectionRefusedError
 *   ...) naming the address, or an OSError "Multiple exceptions" when
 *   several addresses failed differently.
 *
 * @example
 * ```ts
 * import { createConnection, createServer, getRunningLoop, run, type Transport } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const got = await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* createServer(loop, () => {
 *     let t: Transport;
 *     return { connectionMade: (tr: Transport) => (t = tr), dataReceived: (d: Uint8Array) => t.write(d) };
 *   }, "127.0.0.1", 0);
 *   const [, port] = server.sockets[0].getsockname() as [string, number];
 *   const done = loop.createFuture<Uint8Array>();
 *   const [t] = yield* createConnection(loop, () => ({ dataReceived: (d: Uint8Array) => done.setResult(d) }), "127.0.0.1", port);
 *   t.write(new TextEncoder().encode("ping"));
 *   const reply = yield* done;
 *   t.close();
 *   server.close();
 *   server.closeClients();
 *   yield* server.waitClosed();
 *   return new TextDecoder().decode(reply);
 * });
 * assert.equal(got, "ping");
 * ```
 */
export function createConnection<P extends StreamProtocol>(
  loop: NetLoop,
  protocolFactory: () => P,
  host?: string | null,
  port?: number | null,
  options: CreateConnectionOptions = {},
): Future<[Transport, P]> {
  const action = "create a connection";
  const tls = planSsl(options, action, {
    serverSide: false,
    host: host ?? null,
  });
  const hasHost = (host ?? null) !== null || (port ?? null) !== null;
  if (options.sock !== undefined) {
    if (hasHost) {
      throw new TypeError(
        `Cannot ${action}: host/port and sock can not be specified at the same time`,
      );
    }
    const sock = adoptStreamSocket(options.sock, action);
    return makeTransport(loop, sock, protocolFactory, tls);
  }
  if (!hasHost) {
    throw new TypeError(
      `Cannot ${action}: host and port were not specified and no sock was given`,
    );
  }
  checkPort(port ?? 0, action);
  const family = options.family ?? AF_UNSPEC;
  checkFamilyIp(family, action);
  const delay = options.happyEyeballsDelay ?? null;
  if (delay !== null && !(delay >= 0)) {
    throw new RangeError(
      `Cannot ${action}: happyEyeballsDelay must be >= 0, got ${delay}`,
    );
  }
  const interleave = options.interleave ?? (delay === null ? 0 : 1);
  const hints = {
    family,
    type: SOCK_STREAM,
    proto: options.proto ?? 0,
    flags: options.flags ?? 0,
  };
  return new Task(function* () {
    let infos = (yield* getaddrinfo(
      loop,
      host ?? null,
      port ?? null,
      hints,
    )) as AddrInfo[];
    if (infos.length === 0) {
      throw new OSError(
        0,
        `Cannot ${action}: getaddrinfo() returned an empty list`,
      );
    }
    let local: AddrInfo[] | null = null;
    if (options.localAddr !== undefined) {
      const [lh, lp] = options.localAddr;
      local = yield* getaddrinfo(loop, lh, lp, hints);
      if (local.length === 0) {
        throw new OSError(
          0,
          `Cannot ${action}: getaddrinfo() returned an empty list for localAddr`,
        );
      }
    }
    if (interleave > 0) infos = interleaveFamilies(infos, interleave);
    const errors: unknown[] = [];
    let sock: Socket | null = null;
    const attempt = (info: AddrInfo): Future<Socket> =>
      new Task(connectOne(loop, info, local, errors), { loop });
    if (delay === null) {
      for (const info of infos) {
        try {
          sock = yield* attempt(info);
          break;
        } catch (err) {
          if (!(err instanceof OSError)) throw err;
          errors.push(err);
        }
      }
    } else {
      try {
        sock = yield* staggeredRace(
          loop,
          infos.map((i) => () => attempt(i)),
          delay,
          errors,
        );
      } catch (err) {
        if (!(err instanceof OSError)) throw err;
      }
    }
    if (sock === null) throw connectError(errors, options.allErrors ?? false);
    return yield* makeTransport(loop, sock, protocolFactory, tls);
  }, { loop });
}

function* connectOne(
  loop: NetLoop,
  info: AddrInfo,
  local: AddrInfo[] | null,
  errors: unknown[],
): Generator<unknown, Socket, unknown> {
  const [family, type, proto, , address] = info;
  const sock = new Socket({ family, type, proto });
  try {
    if (local !== null) bindLocal(sock, local, errors);
    yield* sockConnect(loop, sock, address);
    return sock;
  } catch (err) {
    sock.close();
    throw err;
  }
}

function bindLocal(sock: Socket, local: AddrInfo[], errors: unknown[]): void {
  let last: unknown = null;
  for (const [lfamily, , , , laddr] of local) {
    if (lfamily !== sock.family) continue;
    try {
      sock.bind(laddr);
      return;
    } catch (err) {
      last = withAddress(err, "bind on local address", laddr);
      errors.push(last);
    }
  }
  throw last ?? new OSError(
    0,
    `Cannot bind a local address: no local address of family ${sock.family}`,
  );
}

/**
 * The error of a failed createConnection, as asyncio: the only one, the
 * first when all read the same, else one OSError listing them all (or an
 * AggregateError with `all`).
 * @internal
 */
export function connectError(errors: unknown[], all: boolean): unknown {
  if (all) {
    return new AggregateError(
      errors,
      "Cannot create a connection: every address failed",
    );
  }
  if (errors.length === 1) return errors[0];
  const first = String(errors[0]);
  if (errors.every((e) => String(e) === first)) return errors[0];
  const e0 = errors[0] as OSError;
  return new OSError(
    e0.errno,
    `Multiple exceptions: ${
      errors.map((e) => (e as Error).message).join(", ")
    }`,
  );
}

/**
 * `infos` reordered by family: `first` of the first family, then one of
 * each other family in turn (RFC 8305 section 4, asyncio's
 * `_interleave_addrinfos`).
 * @internal
 */
export function interleaveFamilies(
  infos: AddrInfo[],
  first: number,
): AddrInfo[] {
  const byFamily = new Map<number, AddrInfo[]>();
  for (const info of infos) {
    const list = byFamily.get(info[0]);
    if (list === undefined) byFamily.set(info[0], [info]);
    else list.push(info);
  }
  const lists = [...byFamily.values()];
  const out: AddrInfo[] = lists[0].splice(0, first - 1);
  for (let more = true; more;) {
    more = false;
    for (const list of lists) {
      const x = list.shift();
      if (x !== undefined) {
        out.push(x);
        more = true;
      }
    }
  }
  return out;
}

/**
 * Wrap a connected `sock` in a transport driving `protocolFactory()`;
 * resolves once `connectionMade` ran. The socket is closed if anything
 * fails.
 * @internal
 */
export function makeTransport<P extends StreamProtocol>(
  loop: NetLoop,
  sock: Socket,
  protocolFactory: () => P,
  tls: SslPlan | null = null,
): Future<[Transport, P]> {
  return new Task(function* () {
    let protocol: P;
    let transport: SocketTransport;
    let wrapped: ReturnType<typeof wrapForSsl> | null = null;
    const waiter = loop.createFuture<void>();
    try {
      protocol = protocolFactory();
      // With TLS the raw transport drives the TLS layer's protocol, which
      // drives the application's.
      if (tls !== null) wrapped = wrapForSsl(loop, protocol, tls);
      transport = new SocketTransport(
        loop,
        sock,
        wrapped?.protocol ?? protocol,
        {
          waiter,
        },
      );
    } catch (err) {
      sock.close();
      throw err;
    }
    try {
      yield* waiter;
      if (wrapped !== null) {
        yield* wrapped.handshake;
        return [wrapped.transport, protocol] as [Transport, P];
      }
    } catch (err) {
      transport.close();
      throw err;
    }
    return [transport, protocol] as [Transport, P];
  }, { loop });
}

/**
 * Run a protocol on an already connected socket (e.g. one accepted with
 * `sockAccept`): `[transport, protocol]`.
 *
 * @throws {TypeError} unless `sock` is an open SOCK_STREAM socket or fd;
 *   TypeError for TLS options without `ssl`.
 *
 * @example
 * ```ts
 * import { connectAcceptedSocket, getRunningLoop, run, Socket } from "../mod.ts";
 * import { socketPair } from "../poll/mod.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = socketPair({ nonblocking: true });
 * await run(function* () {
 *   const [t] = yield* connectAcceptedSocket(getRunningLoop(), () => ({ dataReceived() {} }), new Socket({ fileno: a }));
 *   assert.equal(t.isClosing(), false);
 *   t.close();
 * });
 * new Socket({ fileno: b }).close();
 * ```
 */
export function connectAcceptedSocket<P extends StreamProtocol>(
  loop: NetLoop,
  protocolFactory: () => P,
  sock: Socket | number,
  options: {
    ssl?: unknown;
    sslHandshakeTimeout?: number;
    sslShutdownTimeout?: number;
  } = {},
): Future<[Transport, P]> {
  const tls = planSsl(options, "connect an accepted socket", {
    serverSide: true,
  });
  return makeTransport(
    loop,
    adoptStreamSocket(sock, "connect an accepted socket"),
    protocolFactory,
    tls,
  );
}
