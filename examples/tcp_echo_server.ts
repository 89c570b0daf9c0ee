/**
 * asyncio's "TCP echo server using streams" (asyncio-stream.rst), line by
 * line, in both coroutine forms.
 *
 * `npx deno run --allow-ffi examples/tcp_echo_server.ts [--async] [port]`
 * serves 127.0.0.1:8888 until stopped; try it with
 * `examples/tcp_echo_client.ts`.
 *
 * @module
 */

import {
  run,
  type Server,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";

// ---- generator form (yield*) ----

/** The connection handler. */
export function* handleEcho(reader: StreamReader, writer: StreamWriter) {
  const data = yield* reader.read(100);
  const message = new TextDecoder().decode(data);
  const addr = writer.getExtraInfo("peername");

  console.log(
    `Received ${JSON.stringify(message)} from ${JSON.stringify(addr)}`,
  );

  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(data);
  yield* writer.drain();

  console.log("Close the connection");
  writer.close();
  yield* writer.waitClosed();
}

/** Serve until stopped. */
export function* main(port = 8888) {
  const server = yield* startServer(handleEcho, "127.0.0.1", port);

  const addrs = server.sockets.map((s) => JSON.stringify(s.getsockname()))
    .join(", ");
  console.log(`Serving on ${addrs}`);

  yield* serve(server);
}

// `async with server: await server.serve_forever()`
function* serve(server: Server) {
  try {
    yield* server.serveForever();
  } finally {
    server.close();
  }
}

// ---- async form (await) ----

/** The connection handler, async form. */
export async function handleEchoAsync(
  reader: StreamReader,
  writer: StreamWriter,
) {
  const data = await reader.read(100);
  const message = new TextDecoder().decode(data);
  const addr = writer.getExtraInfo("peername");

  console.log(
    `Received ${JSON.stringify(message)} from ${JSON.stringify(addr)}`,
  );

  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(data);
  await writer.drain();

  console.log("Close the connection");
  writer.close();
  await writer.waitClosed();
}

/** Serve until stopped, async form. */
export async function mainAsync(port = 8888) {
  const server = await startServer(handleEchoAsync, "127.0.0.1", port);

  const addrs = server.sockets.map((s) => JSON.stringify(s.getsockname()))
    .join(", ");
  console.log(`Serving on ${addrs}`);

  await using _server = server;
  await server.serveForever();
}

if (import.meta.main) {
  const port = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 8888);
  if (Deno.args.includes("--async")) await run(() => mainAsync(port));
  else await run(main(port));
}
