// Native echo servers of the echo workloads (WORKLOADS.md): on Deno,
// Deno.listen with a 64 KiB buffer and a read/write loop, setNoDelay(true);
// on Node, net with 'data' -> write, noDelay. Prints "PORT <n>", serves
// until killed.   deno run --allow-net bench/js/echo_server.mjs | node ...
const port = Number(
  (globalThis.Deno ? Deno.args : process.argv.slice(2))[0] ?? 0,
);

if (globalThis.Deno) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  console.log(`PORT ${listener.addr.port}`);
  for await (const conn of listener) {
    conn.setNoDelay(true);
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
  const net = await import("node:net");
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on("data", (d) => s.write(d));
    s.on("error", () => {});
  });
  server.listen(
    port,
    "127.0.0.1",
    () => console.log(`PORT ${server.address().port}`),
  );
}
