/**
 * An HTTP/1.1 "Hello, World!" server on streams: each connection is a
 * generator task reading request heads with `readuntil("\r\n\r\n")`
 * (keep-alive, pipelining, HEAD, bodies read and ignored).
 *
 * `npx deno run --allow-ffi examples/http_hello_streams.ts [port]` serves
 * 127.0.0.1:8080 until stopped (`curl -v http://127.0.0.1:8080/`);
 * `--check` serves on a free port, asks it three requests with `fetch`
 * (add `--allow-net=127.0.0.1`) and exits.
 *
 * @module
 */

import {
  ConnectionResetError,
  IncompleteReadError,
  LimitOverrunError,
  run,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";
import {
  HEAD_END,
  hello,
  HttpError,
  MAX_HEAD,
  parseHead,
  refusal,
  selfCheck,
} from "./_http.ts";

/** One connection: requests until the client closes or asks to. */
export function* serve(reader: StreamReader, writer: StreamWriter) {
  try {
    for (;;) {
      let head: Uint8Array;
      try {
        head = yield* reader.readuntil(HEAD_END);
      } catch (err) {
        if (err instanceof IncompleteReadError) return; // client done
        if (err instanceof LimitOverrunError) {
          writer.write(refusal(new HttpError(431, "head too large")));
          return;
        }
        throw err;
      }
      let req;
      try {
        req = parseHead(head);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        writer.write(refusal(err));
        return;
      }
      if (req.contentLength > 0) yield* reader.readexactly(req.contentLength);
      writer.write(hello(req));
      yield* writer.drain();
      if (!req.keepAlive) return;
    }
  } catch (err) {
    // A client that resets (wrk does at its end) is gone, not a server fault.
    if (!(err instanceof ConnectionResetError)) throw err;
  } finally {
    writer.close();
  }
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const port = check
    ? 0
    : Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 8080);
  await run(async () => {
    const server = await startServer(serve, "127.0.0.1", port, {
      limit: MAX_HEAD,
    });
    const [host, bound] = server.sockets[0].getsockname() as [string, number];
    console.log(`Serving on http://${host}:${bound}/`);
    if (!check) return await server.serveForever();
    await selfCheck(bound);
    server.close();
    server.closeClients();
    await server.waitClosed();
  });
}
