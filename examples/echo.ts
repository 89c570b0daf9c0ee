/**
 * An echo server and client with protocols (asyncio's "TCP echo" example):
 * the server echoes each connection's bytes; five clients each send a line
 * and print the answer. `deno run --allow-ffi examples/echo.ts [port]`
 * serves on 127.0.0.1 (port 0: any free port) and exits when the clients
 * are done.
 *
 * @module
 */

import {
  createConnection,
  createServer,
  getRunningLoop,
  type Protocol,
  run,
  type Transport,
} from "../mod.ts";

/** The server side: write back what arrives. */
class EchoServer implements Protocol {
  #t!: Transport;
  connectionMade(t: Transport): void {
    this.#t = t;
    console.log(
      `  server: connection from ${JSON.stringify(t.getExtraInfo("peername"))}`,
    );
  }
  dataReceived(data: Uint8Array): void {
    this.#t.write(data);
  }
  eofReceived(): boolean {
    this.#t.close();
    return true;
  }
}

/** The client side: send one message, half-close, collect the answer. */
class EchoClient implements Protocol {
  readonly #message: string;
  readonly #chunks: Uint8Array[] = [];
  readonly done = getRunningLoop().createFuture<string>();
  constructor(message: string) {
    this.#message = message;
  }
  connectionMade(t: Transport): void {
    t.write(new TextEncoder().encode(this.#message));
    t.writeEof();
  }
  dataReceived(data: Uint8Array): void {
    this.#chunks.push(data);
  }
  connectionLost(): void {
    const text = this.#chunks.map((c) => new TextDecoder().decode(c)).join("");
    this.done.setResult(text);
  }
}

/** Serve, run five clients concurrently, close. */
export async function echoDemo(port = 0): Promise<void> {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createServer(
      loop,
      () => new EchoServer(),
      "127.0.0.1",
      port,
    );
    const [host, bound] = server.sockets[0].getsockname() as [string, number];
    console.log(`  serving on ${host}:${bound}`);
    const clients = [];
    for (let i = 1; i <= 5; i++) {
      const c = new EchoClient(`hello ${i}`);
      clients.push(c);
      yield* createConnection(loop, () => c, host, bound);
    }
    for (const c of clients) console.log(`  client got: ${yield* c.done}`);
    server.close();
    yield* server.waitClosed();
  });
}

if (import.meta.main) await echoDemo(Number(Deno.args[0] ?? 0));
