/**
 * The HTTP/1.1 part shared by the two "hello" servers: a minimal but
 * correct request-head parser (request line, header fields, Content-Length,
 * keep-alive rules of RFC 9112) and the fixed responses.
 *
 * What it refuses rather than misreads: obsolete line folding, spaces
 * before a colon, a bad or conflicting Content-Length (400), any
 * Transfer-Encoding (501: a hello server has no use for chunked bodies),
 * an HTTP/1.1 request without Host (400), bodies over 1 MiB (413).
 *
 * @module
 */

/** A parsed request head. */
export interface RequestHead {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** Body bytes that follow the head. */
  contentLength: number;
  /** Whether the connection stays open after the response. */
  keepAlive: boolean;
}

/** A request the server must refuse, and then close the connection. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** `\r\n\r\n`, the end of a request head. */
export const HEAD_END: Uint8Array = new Uint8Array([13, 10, 13, 10]);
/** The longest head accepted (asyncio's default stream limit). */
export const MAX_HEAD = 65536;
/** The largest body accepted (read and ignored). */
export const MAX_BODY = 1 << 20;

const latin1 = new TextDecoder("latin1");
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/;

/**
 * Parse a request head (the bytes up to and including `\r\n\r\n`).
 * @throws {HttpError} for a request to refuse.
 */
export function parseHead(head: Uint8Array): RequestHead {
  const lines = latin1.decode(head.subarray(0, head.length - 4)).split("\r\n");
  const m = REQUEST_LINE.exec(lines[0]);
  if (m === null) throw new HttpError(400, "bad request line");
  const minor = Number(m[3]);
  let contentLength = -1;
  let host = false;
  let close = minor === 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpError(400, "bad header line");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HttpError(400, "bad header name");
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case "host":
        if (host) throw new HttpError(400, "several Host headers");
        host = true;
        break;
      case "content-length": {
        if (!/^\d{1,16}$/.test(value)) {
          throw new HttpError(400, "bad Content-Length");
        }
        const n = Number(value);
        if (contentLength !== -1 && contentLength !== n) {
          throw new HttpError(400, "conflicting Content-Length");
        }
        contentLength = n;
        break;
      }
      case "transfer-encoding":
        throw new HttpError(501, "Transfer-Encoding is not supported");
      case "connection":
        for (const opt of value.toLowerCase().split(",")) {
          const o = opt.trim();
          if (o === "close") close = true;
          else if (o === "keep-alive" && minor === 0) close = false;
        }
        break;
    }
  }
  if (minor === 1 && !host) throw new HttpError(400, "missing Host");
  if (contentLength > MAX_BODY) throw new HttpError(413, "body too large");
  return {
    method: m[1],
    target: m[2],
    minor,
    contentLength: Math.max(0, contentLength),
    keepAlive: !close,
  };
}

const enc = new TextEncoder();
const BODY = "Hello, World!";

function response(head: RequestHead, keepAlive: boolean): Uint8Array {
  return enc.encode(
    `HTTP/1.${head.minor} 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n` +
      (keepAlive
        ? (head.minor === 0 ? "Connection: keep-alive\r\n" : "")
        : "Connection: close\r\n") +
      "\r\n" + (head.method === "HEAD" ? "" : BODY),
  );
}

// The few responses there are, made once.
const cache = new Map<string, Uint8Array>();

/** The "Hello, World!" response to `head` (no body for HEAD). */
export function hello(head: RequestHead): Uint8Array {
  const key = `${head.minor}${head.keepAlive ? "k" : "c"}${
    head.method === "HEAD" ? "h" : ""
  }`;
  let r = cache.get(key);
  if (r === undefined) cache.set(key, r = response(head, head.keepAlive));
  return r;
}

/** The response refusing a request (the connection closes after it). */
export function refusal(err: HttpError): Uint8Array {
  const reason: Record<number, string> = {
    400: "Bad Request",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
  };
  const body = `${err.message}\n`;
  return enc.encode(
    `HTTP/1.1 ${err.status} ${
      reason[err.status] ?? "Error"
    }\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * `--check`: a few requests through Deno's `fetch` (keep-alive, HEAD, a
 * body) against `port`, printed; throws if an answer is wrong.
 */
export async function selfCheck(port: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/`;
  for (const init of [{}, { method: "HEAD" }, { method: "POST", body: "x" }]) {
    const res = await fetch(url, init);
    const text = await res.text();
    console.log(
      `${init.method ?? "GET"} / -> ${res.status} ${JSON.stringify(text)}`,
    );
    if (res.status !== 200 || text !== (init.method === "HEAD" ? "" : BODY)) {
      throw new Error(`Unexpected answer: ${res.status} ${text}`);
    }
  }
}
