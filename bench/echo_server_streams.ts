/**
 * Our streams echo server for the echo workloads (WORKLOADS.md), the same
 * program as the asyncio/uvloop streams peer: `reader.read(65536)`,
 * `writer.write`, `drain()`, per connection; a peer's reset ends the
 * client quietly, as the peer's `except ConnectionError`. `generator` (the default) runs
 * each client as a generator task, `async` as an async function. Prints
 * `PORT <n>` once listening on 127.0.0.1, then serves until killed.
 *
 * `deno run --allow-ffi bench/echo_server_streams.ts [generator|async] [port]`
 *
 * @module
 */

import {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionResetError,
  run,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";

function* echo(reader: StreamReader, writer: StreamWriter) {
  try {
    for (;;) {
      const data = yield* reader.read(65536);
      if (data.length === 0) break;
      writer.write(data);
      yield* writer.drain();
    }
  } catch (err) {
    if (!isConnectionError(err)) throw err;
  } finally {
    writer.close();
  }
}

async function echoAsync(reader: StreamReader, writer: StreamWriter) {
  try {
    for (;;) {
      const data = await reader.read(65536);
      if (data.length === 0) break;
      writer.write(data);
      await writer.drain();
    }
  } catch (err) {
    if (!isConnectionError(err)) throw err;
  } finally {
    writer.close();
  }
}

// Python's ConnectionError: echoload resets its connections when it ends;
// without this each reset would go to the exception handler (a stack trace
// per connection), which the Python peer does not pay.
function isConnectionError(err: unknown): boolean {
  return err instanceof ConnectionResetError ||
    err instanceof BrokenPipeError || err instanceof ConnectionAbortedError;
}

const form = Deno.args[0] ?? "generator";
if (form !== "generator" && form !== "async") {
  throw new RangeError(`Unknown form ${form}: generator or async`);
}
const port = Number(Deno.args[1] ?? 0);

await run(function* () {
  const server = yield* startServer(
    form === "generator" ? echo : echoAsync,
    "127.0.0.1",
    port,
  );
  const [, p] = server.sockets[0].getsockname() as [string, number];
  console.log(`PORT ${p}`);
  yield* server.serveForever();
});
