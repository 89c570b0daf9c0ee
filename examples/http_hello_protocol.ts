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
  hello,
  HttpError,
  MAX_HEAD,
  parseHead,
  refusal,
  selfCheck,
} from "./_http.ts";

const EMPTY = new Uint8Array(0);

/** One connection's parser state. */
export class HttpHello implements Protocol {
  #t!: Transport;
  #buf: Uint8Array = EMPTY;
  #skip = 0; // body bytes still to ignore

  connectionMade(t: Transport): void {
    this.#t = t;
  }

  dataReceived(data: Uint8Array): void {
    const buf = this.#buf.length === 0 ? data : join(this.#buf, data);
    let at = 0; // offsets rather than subarrays: no view per request
    // The usual read holds one request: its answer is written alone, and a
    // list is made only for a second one.
    let first: Uint8Array | undefined;
    let more: Uint8Array[] | undefined;
    let closing = false;
    while (!closing) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, buf.length - at);
        this.#skip -= n;
        at += n;
        if (this.#skip > 0) break;
      }
      const end = headEnd(buf, at);
      let answer: Uint8Array;
      if (end === -1 ? buf.length - at > MAX_HEAD : end - at > MAX_HEAD) {
        answer = refusal(new HttpError(431, "head too large"));
        closing = true;
      } else if (end === -1) {
        break;
      } else {
        try {
          const req = parseHead(buf, at, end + 4);
          answer = hello(req);
          this.#skip = req.contentLength;
          closing = !req.keepAlive;
        } catch (err) {
          if (!(err instanceof HttpError)) throw err;
          answer = refusal(err);
          closing = true;
        }
        at = end + 4;
      }
      if (first === undefined) first = answer;
      else (more ??= [first]).push(answer);
    }
    this.#buf = closing || at === buf.length
      ? EMPTY
      : at === 0
      ? buf
      : buf.subarray(at);
    if (more !== undefined) this.#t.writelines(more);
    else if (first !== undefined) this.#t.write(first);
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

/**
 * The index of the first `\r\n\r\n` in `buf` at or after `from`, or -1.
 * Looks at every fourth byte while it is neither CR nor LF, which no match
 * can contain.
 */
function headEnd(buf: Uint8Array, from: number): number {
  for (let i = from + 3; i < buf.length;) {
    const c = buf[i]; // the last byte of a match ending at i
    if (c === 10) {
      if (buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) {
        return i - 3;
      }
      i += 2; // this LF can still be a match's second byte
    } else if (c === 13) {
      i += 1; // this CR can still be a match's first or third byte
    } else {
      i += 4;
    }
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
