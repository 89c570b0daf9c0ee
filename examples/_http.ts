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
 * The parser reads the bytes: it decodes no head to a string, and makes a
 * string only for the method and target (none for `GET /`).
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
// RFC 9110 tchar: the bytes of a method or header name (none above 127).
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = TCHAR[c + 32] = 1;
// What a value's `trim()` removed when the head was decoded as latin1 (as
// WHATWG's windows-1252): HTAB LF VT FF CR SP and NBSP. A value may hold a
// bare CR or LF; only CRLF ends a line.
const WS = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32, 160]) WS[c] = 1;

const enc = new TextEncoder();
// The registered methods, as shared constant strings: the common request
// creates no method string, and `hello`'s `=== "HEAD"` compares pointers.
const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "CONNECT",
  "TRACE",
].map((m) => ({ name: m, bytes: enc.encode(m) }));
const HOST = enc.encode("host");
const CONTENT_LENGTH = enc.encode("content-length");
const TRANSFER_ENCODING = enc.encode("transfer-encoding");
const CONNECTION = enc.encode("connection");
const CLOSE = enc.encode("close");
const KEEP_ALIVE = enc.encode("keep-alive");
const HTTP_1 = enc.encode("HTTP/1.");

/** Whether `b[from, to)` is `lower` with ASCII letters in any case. */
function sameName(
  b: Uint8Array,
  from: number,
  to: number,
  lower: Uint8Array,
): boolean {
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = b[from + i];
    if (c >= 65 && c <= 90) c += 32; // only ASCII letters fold (toLowerCase)
    if (c !== lower[i]) return false;
  }
  return true;
}

function method(b: Uint8Array, from: number, to: number): string {
  for (const m of METHODS) {
    if (to - from !== m.bytes.length) continue;
    let i = 0;
    while (i < m.bytes.length && b[from + i] === m.bytes[i]) i++;
    if (i === m.bytes.length) return m.name;
  }
  return latin1.decode(b.subarray(from, to)); // a token: ASCII
}

function target(b: Uint8Array, from: number, to: number): string {
  if (to - from === 1 && b[from] === 47) return "/";
  // A short target without 0x80-0x9F (where windows-1252 is not the code
  // point) is its bytes as char codes: cheaper than a decoder call, and the
  // bound keeps the arguments of `apply` few.
  if (to - from <= 64) {
    let i = from;
    while (i < to && (b[i] < 0x80 || b[i] > 0x9f)) i++;
    if (i === to) {
      const codes = b.subarray(from, to) as unknown as number[];
      return String.fromCharCode.apply(null, codes);
    }
  }
  return latin1.decode(b.subarray(from, to));
}

/** The index of the first CRLF in `b[at, to)` (a head ends with one). */
function lineEnd(b: Uint8Array, at: number, to: number): number {
  // A loop in JS: for a header value, cheaper than calling b.indexOf(13).
  while (at < to && (b[at] !== 13 || b[at + 1] !== 10)) at++;
  return at;
}

/**
 * Parse a request head: `buf[from, to)`, which ends with its first
 * `\r\n\r\n` (what `readuntil(HEAD_END)` returns, or a server's buffer up
 * to the end it found). Works on the bytes: the only strings made are the
 * method and target, and none for a registered method or a `/` target.
 * @throws {HttpError} for a request to refuse.
 */
export function parseHead(
  buf: Uint8Array,
  from = 0,
  to: number = buf.length,
): RequestHead {
  // Request line: method SP target SP HTTP/1.x CRLF
  let sp1 = from;
  while (TCHAR[buf[sp1]] === 1) sp1++;
  if (sp1 === from || buf[sp1] !== 32) {
    throw new HttpError(400, "bad request line");
  }
  let sp2 = sp1 + 1;
  for (;; sp2++) {
    const c = buf[sp2];
    if (c === 32) break;
    // no tab in the target, and no CRLF before its end (nor the head's end)
    if (c === 9 || (c === 13 && buf[sp2 + 1] === 10) || sp2 >= to) {
      throw new HttpError(400, "bad request line");
    }
  }
  let v = 0;
  while (v < 7 && buf[sp2 + 1 + v] === HTTP_1[v]) v++;
  if (
    sp2 === sp1 + 1 || v !== 7 || buf[sp2 + 9] !== 13 || buf[sp2 + 10] !== 10
  ) throw new HttpError(400, "bad request line");
  const minor = buf[sp2 + 8] - 48;
  if (minor !== 0 && minor !== 1) {
    throw new HttpError(400, "bad HTTP version");
  }
  let contentLength = -1;
  let host = false;
  let close = minor === 0;
  // Header lines, each ending with CRLF, up to the head's empty line.
  for (let at = sp2 + 11; at < to - 4;) {
    let colon = at;
    while (TCHAR[buf[colon]] === 1) colon++;
    if (colon === at || buf[colon] !== 58) {
      throw new HttpError(400, "bad header line");
    }
    const end = lineEnd(buf, colon + 1, to);
    switch (colon - at) { // only these names matter
      case 4:
        if (sameName(buf, at, colon, HOST)) {
          if (host) throw new HttpError(400, "several Host headers");
          host = true;
        }
        break;
      case 14:
        if (sameName(buf, at, colon, CONTENT_LENGTH)) {
          const n = digits(buf, colon + 1, end);
          if (contentLength !== -1 && contentLength !== n) {
            throw new HttpError(400, "conflicting Content-Length");
          }
          contentLength = n;
        }
        break;
      case 17:
        if (sameName(buf, at, colon, TRANSFER_ENCODING)) {
          throw new HttpError(501, "Transfer-Encoding is not supported");
        }
        break;
      case 10:
        if (sameName(buf, at, colon, CONNECTION)) {
          close = connection(buf, colon + 1, end, minor, close);
        }
        break;
    }
    at = end + 2;
  }
  if (minor === 1 && !host) throw new HttpError(400, "missing Host");
  if (contentLength > MAX_BODY) throw new HttpError(413, "body too large");
  return {
    method: method(buf, from, sp1),
    target: target(buf, sp1 + 1, sp2),
    minor,
    contentLength: Math.max(0, contentLength),
    keepAlive: !close,
  };
}

/** A Content-Length value: 1 to 16 ASCII digits between white space. */
function digits(b: Uint8Array, from: number, to: number): number {
  while (from < to && WS[b[from]] === 1) from++;
  while (to > from && WS[b[to - 1]] === 1) to--;
  if (to === from || to - from > 16) {
    throw new HttpError(400, "bad Content-Length");
  }
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) throw new HttpError(400, "bad Content-Length");
    // Exact up to 15 digits; for a 16th, n * 10 is even and below 2^54,
    // so exact too, and only the last addition rounds: Number()'s value.
    n = n * 10 + d;
  }
  return n;
}

/**
 * `close` after a Connection value: its comma-separated options in order,
 * `close` closes and `keep-alive` keeps an HTTP/1.0 connection open.
 */
function connection(
  b: Uint8Array,
  from: number,
  to: number,
  minor: number,
  close: boolean,
): boolean {
  for (let at = from; at <= to;) {
    let comma = at;
    while (comma < to && b[comma] !== 44) comma++;
    let s = at, e = comma;
    while (s < e && WS[b[s]] === 1) s++;
    while (e > s && WS[b[e - 1]] === 1) e--;
    if (sameName(b, s, e, CLOSE)) close = true;
    else if (minor === 0 && sameName(b, s, e, KEEP_ALIVE)) close = false;
    at = comma + 1;
  }
  return close;
}

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
