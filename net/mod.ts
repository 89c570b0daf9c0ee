/**
 * Networking on our loop, asyncio's three levels: our {@linkcode Socket}
 * with the loop's `sock*` coroutines; transports and protocols
 * (`createConnection`, `createServer` and its {@linkcode Server},
 * `createUnixConnection`/`createUnixServer`, `createDatagramEndpoint`,
 * `connectAcceptedSocket`); name resolution (`loop.getaddrinfo`). Streams
 * and TLS build on these.
 *
 * @module
 */

export type {
  BaseProtocol,
  BaseTransport,
  BufferedProtocol,
  DatagramProtocol,
  DatagramTransport,
  Protocol,
  ReadTransport,
  SocketAddress,
  StreamProtocol,
  SubprocessProtocol,
  SubprocessTransport,
  Transport,
  WriteTransport,
} from "./types.ts";
export type { NetLoop } from "./_loop.ts";
export * from "../poll/socket_constants.ts";
export { Socket, type SocketOptions } from "./socket.ts";
export {
  type AddrInfo,
  type AddrInfoHints,
  GaiError,
} from "../poll/getaddrinfo.ts";
export { inetNtop, inetPton } from "../poll/sockaddr.ts";
export {
  connectAcceptedSocket,
  createConnection,
  type CreateConnectionOptions,
} from "./connection.ts";
export { createServer, type CreateServerOptions } from "./create_server.ts";
export { Server } from "./server.ts";
export {
  createUnixConnection,
  type CreateUnixConnectionOptions,
  createUnixServer,
  type CreateUnixServerOptions,
} from "./unix.ts";
export {
  createDatagramEndpoint,
  type CreateDatagramEndpointOptions,
} from "./datagram.ts";
export { listenFds, type ListenFdsOptions } from "./activation.ts";
export { connectReadPipe, connectWritePipe } from "./pipe_transport.ts";
// ---- streams ----
export * from "./stream_errors.ts";
export * from "./stream_reader.ts";
export * from "./stream_writer.ts";
export * from "./stream_protocol.ts";
export * from "./streams.ts";
export * from "./web_streams.ts";
