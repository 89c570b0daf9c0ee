/**
 * The request-head parser as it was before it worked on bytes (string
 * slices, `toLowerCase`, `trim`, a regex), kept verbatim as the reference
 * the byte parser of examples/_http.ts must agree with
 * (tests/examples/http_parse_test.ts, bench/http_parse.ts).
 *
 * @module
 */

import { HttpError, MAX_BODY, type RequestHead } from "../../examples/_http.ts";

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
export function parseHeadOld(head: Uint8Array): RequestHead {
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
