/**
 * A TLS echo server and client with protocols: the server has the test
 * certificate of tests/tls/fixtures (signed by a test CA for localhost and
 * 127.0.0.1), the client trusts that CA and checks the name. TLS runs on
 * libssl 3 through FFI, over our own sockets.
 * `deno run --allow-ffi --allow-read examples/tls_echo.ts`
 *
 * @module
 */

import {
  createConnection,
  createServer,
  getRunningLoop,
  type Protocol,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  run,
  SSLContext,
  type Transport,
} from "../mod.ts";

const fixtures = new URL("../tests/tls/fixtures/", import.meta.url).pathname;

/** The server side: write back what arrives. */
class Echo implements Protocol {
  #t!: Transport;
  connectionMade(t: Transport): void {
    this.#t = t;
  }
  dataReceived(data: Uint8Array): void {
    this.#t.write(data);
  }
}

/** The client side: send one line, wait for it to come back. */
class Client implements Protocol {
  readonly reply = getRunningLoop().createFuture<string>();
  readonly closed = getRunningLoop().createFuture<void>();
  connectionMade(t: Transport): void {
    t.write(new TextEncoder().encode("hello over TLS\n"));
  }
  dataReceived(data: Uint8Array): void {
    this.reply.setResult(new TextDecoder().decode(data));
  }
  connectionLost(): void {
    this.closed.setResult();
  }
}

/** Serve over TLS, make one verified client connection, close. */
export async function tlsEchoDemo(): Promise<void> {
  await run(function* () {
    const loop = getRunningLoop();
    using serverCtx = new SSLContext(PROTOCOL_TLS_SERVER);
    serverCtx.loadCertChain(fixtures + "server.pem", fixtures + "server.key");
    using clientCtx = new SSLContext(PROTOCOL_TLS_CLIENT);
    clientCtx.loadVerifyLocations({ cafile: fixtures + "ca.pem" });
    const server = yield* createServer(loop, () => new Echo(), "127.0.0.1", 0, {
      ssl: serverCtx,
    });
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const client = new Client();
    const [t] = yield* createConnection(loop, () => client, "127.0.0.1", port, {
      ssl: clientCtx,
      serverHostname: "localhost",
    });
    const cipher = t.getExtraInfo("cipher") as [string, string, number];
    console.log(`  ${cipher[1]} with ${cipher[0]}`);
    console.log(`  client got: ${(yield* client.reply).trim()}`);
    t.close(); // close_notify, then the peer's
    yield* client.closed;
    server.close();
    server.closeClients();
    yield* server.waitClosed();
  });
}

if (import.meta.main) await tlsEchoDemo();
