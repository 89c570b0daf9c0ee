/**
 * Our TLS echo server for the TLS echo workload (WORKLOADS.md): a protocol
 * server (`dataReceived -> transport.write`) with `ssl`, on the test
 * certificate of tests/tls/fixtures. Prints `PORT <n>` once listening on
 * 127.0.0.1, then serves until killed.
 *
 * `deno run --allow-ffi --allow-read bench/tls_echo_server.ts [port]`
 *
 * @module
 */

import {
  createServer,
  getRunningLoop,
  type Protocol,
  PROTOCOL_TLS_SERVER,
  run,
  SSLContext,
  type Transport,
} from "../mod.ts";

class Echo implements Protocol {
  #t!: Transport;
  connectionMade(t: Transport): void {
    this.#t = t;
  }
  dataReceived(data: Uint8Array): void {
    this.#t.write(data);
  }
}

const dir = new URL("../tests/tls/fixtures/", import.meta.url).pathname;
const port = Number(Deno.args[0] ?? 0);

await run(function* () {
  const ssl = new SSLContext(PROTOCOL_TLS_SERVER);
  ssl.loadCertChain(dir + "server.pem", dir + "server.key");
  const server = yield* createServer(
    getRunningLoop(),
    () => new Echo(),
    "127.0.0.1",
    port,
    { ssl },
  );
  const [, p] = server.sockets[0].getsockname() as [string, number];
  console.log(`PORT ${p}`);
  yield* server.serveForever();
});
