/**
 * A UDP echo server and client with datagram protocols:
 * `deno run --allow-ffi examples/udp_echo.ts`.
 *
 * @module
 */

import {
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
  getRunningLoop,
  run,
  type SocketAddress,
} from "../mod.ts";

class EchoServer implements DatagramProtocol {
  #t!: DatagramTransport;
  connectionMade(t: DatagramTransport): void {
    this.#t = t;
  }
  datagramReceived(data: Uint8Array, addr: SocketAddress): void {
    this.#t.sendto(data, addr);
  }
}

await run(function* () {
  const loop = getRunningLoop();
  const [server] = yield* createDatagramEndpoint(loop, () => new EchoServer(), {
    localAddr: ["127.0.0.1", 0],
  });
  const addr = server.getExtraInfo("sockname") as SocketAddress;
  console.log(`UDP echo on ${JSON.stringify(addr)}`);
  const answers = loop.createFuture<void>();
  const got: string[] = [];
  const [client] = yield* createDatagramEndpoint(loop, () => ({
    datagramReceived(data: Uint8Array) {
      got.push(new TextDecoder().decode(data));
      if (got.length === 3) answers.setResult(undefined);
    },
  }), { remoteAddr: addr });
  for (const word of ["one", "two", "three"]) {
    client.sendto(new TextEncoder().encode(word));
  }
  yield* answers;
  console.log(`client got back: ${got.join(", ")}`);
  client.close();
  server.close();
});
