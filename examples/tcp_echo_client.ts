/**
 * asyncio's "TCP echo client using streams" (asyncio-stream.rst), line by
 * line, in both coroutine forms.
 *
 * `npx deno run --allow-ffi examples/tcp_echo_client.ts [--async] [port]`
 * sends "Hello World!" to `examples/tcp_echo_server.ts` on 127.0.0.1:8888.
 *
 * @module
 */

import { openConnection, run } from "../mod.ts";

// ---- generator form (yield*) ----

/** Send `message`, print the answer. */
export function* tcpEchoClient(message: string, port = 8888) {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);

  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(new TextEncoder().encode(message));
  yield* writer.drain();

  const data = yield* reader.read(100);
  console.log(`Received: ${JSON.stringify(new TextDecoder().decode(data))}`);

  console.log("Close the connection");
  writer.close();
  yield* writer.waitClosed();
  return new TextDecoder().decode(data);
}

// ---- async form (await) ----

/** Send `message`, print the answer, async form. */
export async function tcpEchoClientAsync(message: string, port = 8888) {
  const [reader, writer] = await openConnection("127.0.0.1", port);

  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(new TextEncoder().encode(message));
  await writer.drain();

  const data = await reader.read(100);
  console.log(`Received: ${JSON.stringify(new TextDecoder().decode(data))}`);

  console.log("Close the connection");
  writer.close();
  await writer.waitClosed();
  return new TextDecoder().decode(data);
}

if (import.meta.main) {
  const port = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 8888);
  if (Deno.args.includes("--async")) {
    await run(() => tcpEchoClientAsync("Hello World!", port));
  } else {
    await run(tcpEchoClient("Hello World!", port));
  }
}
