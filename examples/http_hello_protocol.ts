/**
 * An HTTP/1.1 "Hello, World!" server on a protocol (no streams, no task
 * per connection): `dataReceived` parses every complete request head in
 * what arrived, answers all of them with one write (pipelining), and keeps
 * the connection open (keep-alive) unless the client asked otherwise.
 *
 * `npx deno run --allow-ffi examples/http_hello_protocol.ts [port]` serves
 * 127.0.0.1:8080 until stopped (`curl -v http://127.0.0.1:8080/`);
 * `--check` serves on a free port, asks it three requests with `fetch`
 * (add `--allow-net=127.0.0.1`) and exits.
 *
 * @module
 */

import {
  createServer,
  getRunningLoop,
  type Protocol,
  run,
  type Transport,
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

/** One connection's parser state. */
export class HttpHello implements Protocol {
  #t!: Transport;
  #buf: Uint8Array = new Uint8Array(0);
  #skip = 0; // body bytes still to ignore

  connectionMade(t: Transport): void {
    this.#t = t;
  }

  dataReceived(data: Uint8Array): void {
    let buf = this.#buf.length === 0 ? data : join(this.#buf, data);
    const out: Uint8Array[] = [];
    let closing = false;
    while (!closing) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, buf.length);
        this.#skip -= n;
        buf = buf.subarray(n);
        if (this.#skip > 0) break;
      }
      const end = indexOf(buf, HEAD_END);
      if (end === -1 ? buf.length > MAX_HEAD : end > MAX_HEAD) {
        out.push(refusal(new HttpError(431, "head too large")));
        closing = true;
        break;
      }
      if (end === -1) break;
      try {
        const req = parseHead(buf.subarray(0, end + 4));
        out.push(hello(req));
        this.#skip = req.contentLength;
        closing = !req.keepAlive;
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        out.push(refusal(err));
        closing = true;
      }
      buf = buf.subarray(end + 4);
    }
    this.#buf = closing ? new Uint8Array(0) : buf;
    if (out.length === 1) this.#t.write(out[0]);
    else if (out.length > 1) this.#t.writelines(out);
    if (closing) this.#t.close();
  }

  eofReceived(): boolean {
    return false; // close once the answers are sent
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(buf: Uint8Array, sep: Uint8Array): number {
  for (let i = buf.indexOf(sep[0]); i !== -1; i = buf.indexOf(sep[0], i + 1)) {
    if (i + sep.length > buf.length) return -1;
    let j = 1;
    while (j < sep.length && buf[i + j] === sep[j]) j++;
    if (j === sep.length) return i;
  }
  return -1;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const port = check
    ? 0
    : Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 8080);
  await run(async () => {
    const loop = getRunningLoop();
    const server = await createServer(
      loop,
      () => new HttpHello(),
      "127.0.0.1",
      port,
    );
    const [host, bound] = server.sockets[0].getsockname() as [string, number];
    console.log(`Serving on http://${host}:${bound}/`);
    if (!check) return await server.serveForever();
    await selfCheck(bound);
    server.close();
    server.closeClients();
    await server.waitClosed();
  });
}
