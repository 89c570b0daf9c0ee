/**
 * Our HTTP "hello" servers for the HTTP hello workload (WORKLOADS.md): the
 * two servers of examples/ (`protocol`: `HttpHello`, one write per batch of
 * pipelined requests; `streams`: a generator task per connection). Prints
 * `PORT <n>` once listening on 127.0.0.1, then serves until killed.
 *
 * `deno run --allow-ffi bench/http_server.ts [protocol|streams] [port]`
 *
 * @module
 */

import { createServer, getRunningLoop, run, startServer } from "../mod.ts";
import { HttpHello } from "../examples/http_hello_protocol.ts";
import { serve } from "../examples/http_hello_streams.ts";
import { MAX_HEAD } from "../examples/_http.ts";

const variant = Deno.args[0] ?? "protocol";
if (variant !== "protocol" && variant !== "streams") {
  throw new RangeError(`Unknown variant ${variant}: protocol or streams`);
}
const port = Number(Deno.args[1] ?? 0);

await run(function* () {
  const server = variant === "protocol"
    ? yield* createServer(
      getRunningLoop(),
      () => new HttpHello(),
      "127.0.0.1",
      port,
    )
    : yield* startServer(serve, "127.0.0.1", port, { limit: MAX_HEAD });
  const [, p] = server.sockets[0].getsockname() as [string, number];
  console.log(`PORT ${p}`);
  yield* server.serveForever();
});
