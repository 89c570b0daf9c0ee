// Native HTTP "hello" servers of the HTTP hello workload (WORKLOADS.md):
// on Deno, Deno.serve; on Node, http.createServer. Keep-alive HTTP/1.1,
// a fixed 13-byte body. Prints "PORT <n>", serves until killed.
//   deno run --allow-net=127.0.0.1 bench/js/http_server.mjs | node ...
const port = Number(
  (globalThis.Deno ? Deno.args : process.argv.slice(2))[0] ?? 0,
);
const BODY = "Hello, World!";

if (globalThis.Deno) {
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(`PORT ${port}`),
  }, () => new Response(BODY, { headers: { "content-type": "text/plain" } }));
} else {
  const http = await import("node:http");
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      "Content-Type": "text/plain",
      "Content-Length": BODY.length,
    });
    res.end(BODY);
  });
  server.listen(port, "127.0.0.1", () => {
    console.log(`PORT ${server.address().port}`);
  });
}
