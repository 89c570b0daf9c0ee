import assert from "node:assert/strict";
import {
  HttpError,
  MAX_BODY,
  parseHead,
  type RequestHead,
} from "../../examples/_http.ts";
import { parseHeadOld } from "./_http_old.ts";

/** Bytes from a string of code points 0-255 (one byte each). */
function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** What a parser made of a head: the head, or the refusal's status and text. */
function outcome(
  parse: (b: Uint8Array) => RequestHead,
  head: Uint8Array,
): RequestHead | { status: number; message: string } {
  try {
    return parse(head);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { status: err.status, message: err.message };
  }
}

function refused(head: string): number {
  const got = outcome(parseHead, bytes(head));
  assert.ok("status" in got, `accepted ${JSON.stringify(head)}`);
  return got.status;
}

// ---- behaviour ------------------------------------------------------------

Deno.test("parseHead: wrk's request is a keep-alive GET / with no body", () => {
  assert.deepEqual(
    parseHead(bytes("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")),
    { method: "GET", target: "/", minor: 1, contentLength: 0, keepAlive: true },
  );
});

Deno.test("parseHead: other methods and targets come out as sent", () => {
  const h = parseHead(bytes("FOO-BAR /a?b=%20\xe9 HTTP/1.1\r\nhOsT:x\r\n\r\n"));
  assert.equal(h.method, "FOO-BAR");
  assert.equal(h.target, "/a?b=%20\xe9");
  // As the runtime's latin1 decoder reads it: windows-1252 on Deno and Bun
  // (0x80 is the euro sign, as WHATWG defines latin1), ISO-8859-1 on Node.
  assert.equal(
    parseHead(bytes("GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n")).target,
    new TextDecoder("latin1").decode(new Uint8Array([0x2f, 0x80])),
  );
  assert.equal(
    parseHead(bytes("HEAD * HTTP/1.1\r\nHost: a\r\n\r\n")).method,
    "HEAD",
  );
});

Deno.test("parseHead: reads the head inside a larger buffer", () => {
  const buf = bytes(
    "xxGET /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET",
  );
  const h = parseHead(buf, 2, buf.length - 6);
  assert.equal(h.target, "/p");
  assert.equal(h.contentLength, 3);
});

Deno.test("parseHead: refuses a malformed request line with 400", () => {
  for (
    const line of [
      "GET /",
      "GET  / HTTP/1.1",
      "GET /\ta HTTP/1.1",
      "GET / HTTP/1.1 ",
      "GET / HTTP/2.0",
      "GET / http/1.1",
      "G(T / HTTP/1.1",
      " / HTTP/1.1",
      "GET / HTTP/1.10",
    ]
  ) assert.equal(refused(`${line}\r\nHost: a\r\n\r\n`), 400, line);
  assert.equal(refused("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 400);
});

Deno.test("parseHead: HTTP/1.1 needs exactly one Host, HTTP/1.0 none", () => {
  assert.equal(refused("GET / HTTP/1.1\r\n\r\n"), 400);
  assert.equal(refused("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"), 400);
  assert.equal(parseHead(bytes("GET / HTTP/1.0\r\n\r\n")).keepAlive, false);
});

Deno.test("parseHead: refuses header lines without a token and a colon", () => {
  for (
    const line of [
      "Host : a",
      " Host: a",
      "Host",
      ": a",
      "Ho\xe9st: a",
      "\tX: y",
    ]
  ) assert.equal(refused(`GET / HTTP/1.1\r\nHost: a\r\n${line}\r\n\r\n`), 400);
});

Deno.test("parseHead: Content-Length is 1-16 digits, equal when repeated", () => {
  const len = (v: string) =>
    parseHead(bytes(`POST / HTTP/1.1\r\nHost: a\r\n${v}\r\n\r\n`))
      .contentLength;
  assert.equal(len("Content-Length: 42"), 42);
  assert.equal(len("content-length:\t 007 \xa0"), 7);
  assert.equal(len("Content-Length: 5\r\nContent-Length: 5"), 5);
  for (const v of ["", "-1", "1 2", "0x10", "+1", "1e3", "12345678901234567"]) {
    assert.equal(
      refused(`GET / HTTP/1.1\r\nHost: a\r\nContent-Length: ${v}\r\n\r\n`),
      400,
      v,
    );
  }
  assert.equal(
    refused(
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ),
    400,
  );
  assert.equal(
    refused(
      `GET / HTTP/1.1\r\nHost: a\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`,
    ),
    413,
  );
});

Deno.test("parseHead: any Transfer-Encoding is refused with 501", () => {
  assert.equal(
    refused(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-ENCODING: identity\r\n\r\n",
    ),
    501,
  );
});

Deno.test("parseHead: Connection options in order, any case and spacing", () => {
  const keep = (minor: number, v: string) =>
    parseHead(
      bytes(`GET / HTTP/1.${minor}\r\nHost: a\r\nConnection:${v}\r\n\r\n`),
    )
      .keepAlive;
  assert.equal(keep(1, " Keep-Alive"), true);
  assert.equal(keep(1, "upgrade,  CLOSE "), false);
  assert.equal(keep(0, "KEEP-ALIVE"), true);
  assert.equal(keep(0, "keep-alive, close"), false);
  assert.equal(keep(0, "close,keep-alive"), true);
  assert.equal(keep(0, "keep\ralive"), false);
  assert.equal(keep(1, "closed"), true);
});

// ---- agreement with the string parser ----------------------------------------

const CORPUS = [
  "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
  "GET / HTTP/1.0\r\n\r\n",
  "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  "GET / HTTP/1.0\r\nConnection: Keep-Alive , Upgrade\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: close, keep-alive\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: ,,close,\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nConnection:\xa0close\xa0\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: clos\xe9\r\n\r\n",
  "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
  "GET / HTTP/1.0\r\nconnection: close\r\nCONNECTION: keep-alive\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length:5\r\ncontent-length: 05\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999999999\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 9007199254740993\r\n" +
  "Content-Length: 9007199254740992\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0000000000000001\r\n" +
  "Content-Length: 1\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\n\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: \v1\f\r\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: \x851\r\n\r\n",
  "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
  "POST /x HTTP/1.1\r\nX y: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
  "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX y: 1\r\n\r\n",
  "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
  "GET / HTTP/1.1\r\nHost:\r\n\r\n",
  "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX(Y): 1\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\n:empty\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\nc\x00\xff\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX\xe9: 1\r\n\r\n",
  "GET / HTTP/1.1\r\nHost\r\nX: a:b\r\n\r\n",
  "GET / HTTP/1.1\r\nhost: a\r\nHOST: a\r\n\r\n",
  "GET /caf\xe9\x80\x9f HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET /a\nb HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET /\t HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1\t\r\nHost: a\r\n\r\n",
  "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
  "GET /HTTP/1.1\r\nHost: a b\r\n\r\n",
  "GET\r\nHost: a b c\r\n\r\n",
  "G\xc9T / HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.9\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.\r\r\n\r\n",
  "GET / HTTP/1.\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.11\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1\r\n\r\n",
  "GET / HTTP/1.1\r\r\n\r\n",
  "GET / HTTP/1.0\n\r\n\r\n",
  "BAD\r\n\r\n",
  "\r\n\r\n",
  "\r\n\r\nGET / HTTP/1.0\r\n\r\n",
  " \r\n\r\n",
  "GET / HTTP/1.1\r\n\r\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\n\n\r\n\r\n",
  "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
  "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
  "PATCHY / HTTP/1.1\r\nHost: a\r\n\r\n",
  "get / HTTP/1.1\r\nHost: a\r\n\r\n",
  "!#$%&'*+-.^_`|~ / HTTP/1.1\r\nHost: a\r\n\r\n",
  `GET /${"a".repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`,
  `GET /${"\xe9".repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`,
];

/** The head as a server passes it: up to and including its first CRLFCRLF. */
function asHead(s: string): string {
  const end = s.indexOf("\r\n\r\n");
  if (end !== -1) return s.slice(0, end + 4);
  return asHead(s + "\r\n\r\n");
}

function agree(s: string): void {
  const head = bytes(asHead(s));
  const old = outcome(parseHeadOld, head);
  assert.deepEqual(outcome(parseHead, head), old, JSON.stringify(asHead(s)));
  // inside a larger buffer, as the protocol server passes it
  const buf = new Uint8Array(head.length + 8).fill(32);
  buf.set(head, 3);
  assert.deepEqual(
    outcome((b) => parseHead(b, 3, 3 + head.length), buf),
    old,
  );
}

Deno.test("parseHead: agrees with the string parser on a corpus of heads", () => {
  for (const s of CORPUS) agree(s);
});

// The pieces mutations are made of: what the parsers treat specially.
const PIECES = [
  " ",
  "\t",
  "\r",
  "\n",
  "\r\n",
  ":",
  ",",
  "0",
  "1",
  "9",
  "a",
  "A",
  "-",
  "/",
  ".",
  "H",
  "\x00",
  "\x0b",
  "\x0c",
  "\x7f",
  "\x80",
  "\x85",
  "\x9f",
  "\xa0",
  "\xff",
  "(",
  "HTTP/1.",
  "Host: a\r\n",
  "Content-Length: 3\r\n",
  "Content-Length: 4\r\n",
  "Connection: close\r\n",
  "connection: keep-alive\r\n",
  "Transfer-Encoding: x\r\n",
  "CONTENT-LENGTH",
  "keep-alive",
  "close",
  "1048577",
  "Host",
  "HTTP/1.0",
];

Deno.test("parseHead: agrees with the string parser on mutated heads", () => {
  // xorshift32 with a fixed seed: the same cases every run
  let state = 0x2545f491;
  const rand = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  let cases = 0;
  const outcomes = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    let s = CORPUS[rand(CORPUS.length)];
    for (let m = 1 + rand(4); m > 0; m--) {
      const at = rand(s.length + 1);
      switch (rand(5)) {
        case 0: // insert a piece
          s = s.slice(0, at) + PIECES[rand(PIECES.length)] + s.slice(at);
          break;
        case 1: // delete a few characters
          s = s.slice(0, at) + s.slice(at + 1 + rand(3));
          break;
        case 2: // replace one with any byte
          s = s.slice(0, at) + String.fromCharCode(rand(256)) +
            s.slice(at + 1);
          break;
        case 3: // flip a letter's case
          s = s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ 32) +
            s.slice(at + 1);
          break;
        default: // duplicate a line
        {
          const lines = s.split("\r\n");
          const k = rand(lines.length);
          lines.splice(k, 0, lines[k]);
          s = lines.join("\r\n");
        }
      }
    }
    agree(s);
    const o = outcome(parseHeadOld, bytes(asHead(s)));
    outcomes.add("status" in o ? o.message : "ok");
    cases++;
  }
  assert.equal(cases, 20000);
  // the mutations reach every refusal, not just the first check
  assert.deepEqual(
    [...outcomes].sort(),
    [
      "bad Content-Length",
      "bad HTTP version",
      "bad header line",
      "bad request line",
      "body too large",
      "conflicting Content-Length",
      "missing Host",
      "ok",
      "several Host headers",
      "Transfer-Encoding is not supported",
    ].sort(),
  );
});
