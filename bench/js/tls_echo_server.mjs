// Native TLS echo servers of the TLS echo workload (WORKLOADS.md), with the
// test certificate of tests/tls/fixtures: on Deno, Deno.listenTls with a
// read/write loop (Deno.listenTls has no setNoDelay: Nagle stays on, as
// WORKLOADS.md notes); on Node, tls.createServer with 'data' -> write and
// setNoDelay. Prints "PORT <n>", serves until killed.
//   deno run --allow-net=127.0.0.1 --allow-read bench/js/tls_echo_server.mjs | node ...
const dir = new URL("../../tests/tls/fixtures/", import.meta.url);
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const port = Number(args[0] ?? 0);

if (globalThis.Deno) {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port,
    cert: Deno.readTextFileSync(new URL("server.pem", dir)),
    key: Deno.readTextFileSync(new URL("server.key", dir)),
  });
  console.log(`PORT ${listener.addr.port}`);
  for await (const conn of listener) {
    (async () => {
      const buf = new Uint8Array(65536);
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          let off = 0;
          while (off < n) off += await conn.write(buf.subarray(off, n));
        }
      } catch {
        // reset
      } finally {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
    })();
  }
} else {
  const tls = await import("node:tls");
  const fs = await import("node:fs");
  const server = tls.createServer({
    cert: fs.readFileSync(new URL("server.pem", dir)),
    key: fs.readFileSync(new URL("server.key", dir)),
  }, (s) => {
    s.setNoDelay(true);
    s.on("data", (d) => s.write(d));
    s.on("error", () => {});
  });
  server.listen(
    port,
    "127.0.0.1",
    () => console.log(`PORT ${server.address().port}`),
  );
}
