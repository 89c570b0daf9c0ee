/**
 * Round-trip latency of a 100-byte message over TLS on loopback, libssl
 * path vs the node:tls fallback (forced), client and server in this
 * process on our loop; rounds interleaved, medians printed.
 *
 * `deno run --allow-ffi --allow-read --allow-net=127.0.0.1 bench/tls_fallback_rtt.ts [rounds] [messages]`
 *
 * @module
 */

import {
  openConnection,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  run,
  SSLContext,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";
import { _setTlsBackend, type TlsBackend } from "../tls/_backend.ts";

const dir = new URL("../tests/tls/fixtures/", import.meta.url).pathname;
const rounds = Number(Deno.args[0] ?? 3);
const messages = Number(Deno.args[1] ?? 1000);
const SIZE = 100;

function contexts(backend: TlsBackend): [SSLContext, SSLContext] {
  _setTlsBackend(backend);
  try {
    const s = new SSLContext(PROTOCOL_TLS_SERVER);
    s.loadCertChain(dir + "server.pem", dir + "server.key");
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    c.loadVerifyLocations({ cafile: dir + "ca.pem" });
    return [s, c];
  } finally {
    _setTlsBackend(null);
  }
}

function* echo(reader: StreamReader, writer: StreamWriter) {
  for (;;) {
    const data = yield* reader.read(65536);
    if (data.length === 0) break;
    writer.write(data);
  }
  writer.close();
}

/** µs per round trip of `messages` 100-byte messages. */
async function once(backend: TlsBackend): Promise<number> {
  const [sctx, cctx] = contexts(backend);
  try {
    return await run(function* () {
      const srv = yield* startServer(echo, "127.0.0.1", 0, { ssl: sctx });
      const port = (srv.sockets[0].getsockname() as [string, number])[1];
      const [reader, writer] = yield* openConnection("127.0.0.1", port, {
        ssl: cctx,
        serverHostname: "localhost",
      });
      const msg = new Uint8Array(SIZE).fill(97);
      const t0 = performance.now();
      for (let i = 0; i < messages; i++) {
        writer.write(msg);
        yield* reader.readexactly(SIZE);
      }
      const us = (performance.now() - t0) * 1000 / messages;
      writer.close();
      yield* writer.waitClosed();
      srv.close();
      yield* srv.waitClosed();
      return us;
    });
  } finally {
    sctx.close();
    cctx.close();
  }
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const got: Record<TlsBackend, number[]> = { libssl: [], node: [] };
await once("libssl");
await once("node"); // warm: node-compat loads on first use
for (let r = 0; r < rounds; r++) {
  for (const b of ["libssl", "node"] as const) got[b].push(await once(b));
}
for (const b of ["libssl", "node"] as const) {
  console.log(
    `${b}: ${
      med(got[b]).toFixed(1)
    } µs per ${SIZE} B round trip (median of ${rounds}; ${
      got[b].map((x) => x.toFixed(1)).join(", ")
    })`,
  );
}
console.log(
  `node:tls / libssl: ${(med(got.node) / med(got.libssl)).toFixed(1)}x`,
);
