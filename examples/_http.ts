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
// RFC 9110 tchar: the characters of a method or header name.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = TCHAR[c + 32] = 1;

function isToken(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Parse a request head (the bytes up to and including `\r\n\r\n`).
 * @throws {HttpError} for a request to refuse.
 */
export function parseHead(head: Uint8Array): RequestHead {
  const text = latin1.decode(head.subarray(0, head.length - 2));
  // Request line: method SP target SP HTTP/1.x
  const eol = text.indexOf("\r\n");
  const sp1 = text.indexOf(" ");
  const sp2 = sp1 === -1 ? -1 : text.indexOf(" ", sp1 + 1);
  if (
    sp2 === -1 || sp2 > eol || !isToken(text, 0, sp1) || sp2 === sp1 + 1 ||
    eol - sp2 !== 9 || !text.startsWith("HTTP/1.", sp2 + 1) ||
    text.slice(sp1 + 1, sp2).includes("\t")
  ) throw new HttpError(400, "bad request line");
  const v = text.charCodeAt(eol - 1);
  if (v !== 48 && v !== 49) throw new HttpError(400, "bad HTTP version");
  const minor = v - 48;
  let contentLength = -1;
  let host = false;
  let close = minor === 0;
  // Header lines, each ending with CRLF (the head ends with an empty line).
  for (let at = eol + 2; at < text.length - 2;) {
    const end = text.indexOf("\r\n", at);
    const colon = text.indexOf(":", at);
    if (colon === -1 || colon > end || !isToken(text, at, colon)) {
      throw new HttpError(400, "bad header line");
    }
    const c = text.charCodeAt(at) | 32; // only these names matter
    if (c === 104 || c === 99 || c === 116) {
      const name = text.slice(at, colon).toLowerCase();
      const value = text.slice(colon + 1, end).trim();
      if (name === "host") {
        if (host) throw new HttpError(400, "several Host headers");
        host = true;
      } else if (name === "content-length") {
        if (!/^\d{1,16}$/.test(value)) {
          throw new HttpError(400, "bad Content-Length");
        }
        const n = Number(value);
        if (contentLength !== -1 && contentLength !== n) {
          throw new HttpError(400, "conflicting Content-Length");
        }
        contentLength = n;
      } else if (name === "transfer-encoding") {
        throw new HttpError(501, "Transfer-Encoding is not supported");
      } else if (name === "connection") {
        for (const opt of value.toLowerCase().split(",")) {
          const o = opt.trim();
          if (o === "close") close = true;
          else if (o === "keep-alive" && minor === 0) close = false;
        }
      }
    }
    at = end + 2;
  }
  if (minor === 1 && !host) throw new HttpError(400, "missing Host");
  if (contentLength > MAX_BODY) throw new HttpError(413, "body too large");
  return {
    method: text.slice(0, sp1),
    target: text.slice(sp1 + 1, sp2),
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

// The eight responses there are (version x keep-alive x HEAD), made once.
const cache: (Uint8Array | undefined)[] = [];

/** The "Hello, World!" response to `head` (no body for HEAD). */
export function hello(head: RequestHead): Uint8Array {
  const key = head.minor * 4 + (head.keepAlive ? 2 : 0) +
    (head.method === "HEAD" ? 1 : 0);
  return cache[key] ??= response(head, head.keepAlive);
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
