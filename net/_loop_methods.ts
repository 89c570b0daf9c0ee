/**
 * What `loop/event_loop.ts` delegates its networking methods to, in one
 * import: each takes the loop as its first argument.
 *
 * @module
 */

export type { AddrInfo, AddrInfoHints } from "../poll/getaddrinfo.ts";
export type { SocketAddress, StreamProtocol, Transport } from "./types.ts";
export {
  connectAcceptedSocket,
  createConnection,
  type CreateConnectionOptions,
} from "./connection.ts";
export { createServer, type CreateServerOptions } from "./create_server.ts";
export type { Server } from "./server.ts";
export type { Socket } from "./socket.ts";
export {
  createUnixConnection,
  type CreateUnixConnectionOptions,
  createUnixServer,
  type CreateUnixServerOptions,
} from "./unix.ts";
export {
  sockAccept,
  sockConnect,
  sockRecv,
  sockRecvfrom,
  sockRecvfromInto,
  sockRecvInto,
  sockSendall,
  sockSendfile,
  sockSendto,
} from "./sock_ops.ts";
export { getaddrinfo, getnameinfo } from "./resolve.ts";
export {
  createDatagramEndpoint,
  type CreateDatagramEndpointOptions,
} from "./datagram.ts";
export type { DatagramProtocol, DatagramTransport } from "./types.ts";
