import assert from "node:assert/strict";
import { HttpHello } from "../../examples/http_hello_protocol.ts";
import { MAX_HEAD } from "../../examples/_http.ts";
import type { Transport } from "../../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What `HttpHello` wrote (one string per write call) for `reads`. */
function feed(reads: Uint8Array[]): { writes: string[]; closed: boolean } {
  const writes: string[] = [];
  let closed = false;
  const server = new HttpHello();
  server.connectionMade({
    write(data: Uint8Array) {
      assert.ok(!closed, "write after close");
      writes.push(dec.decode(data));
    },
    writelines(list: Uint8Array[]) {
      assert.ok(!closed, "write after close");
      assert.ok(list.length > 1, "a list for one answer");
      writes.push(list.map((d) => dec.decode(d)).join(""));
    },
    close() {
      closed = true;
    },
  } as unknown as Transport);
  for (const r of reads) if (!closed) server.dataReceived(r);
  return { writes, closed };
}

const count = (s: string, sub: string) => s.split(sub).length - 1;

const PIPELINE = enc.encode(
  "GET / HTTP/1.1\r\nHost: a\r\n\r\n" +
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n\r\n\r\nx" +
    "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n" +
    "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" +
    "GET /never HTTP/1.1\r\nHost: a\r\n\r\n",
);

Deno.test("HttpHello: one read of pipelined requests gets one write", () => {
  const { writes, closed } = feed([PIPELINE]);
  assert.equal(writes.length, 1);
  assert.equal(count(writes[0], "HTTP/1.1 200 OK"), 4);
  assert.equal(count(writes[0], "Hello, World!"), 3, "none for HEAD");
  assert.ok(closed);
});

Deno.test("HttpHello: answers the same however the bytes are split", () => {
  const whole = feed([PIPELINE]).writes.join("");
  for (let a = 0; a <= PIPELINE.length; a++) {
    for (let b = a; b <= PIPELINE.length; b += 7) {
      const got = feed([
        PIPELINE.subarray(0, a),
        PIPELINE.subarray(a, b),
        PIPELINE.subarray(b),
      ]);
      assert.equal(got.writes.join(""), whole, `split at ${a}, ${b}`);
      assert.ok(got.closed);
    }
  }
  // and one byte per read
  const bytes = [...PIPELINE].map((c) => Uint8Array.of(c));
  assert.equal(feed(bytes).writes.join(""), whole);
});

Deno.test("HttpHello: a head longer than MAX_HEAD gets 431 and a close", () => {
  const long = enc.encode(`GET / HTTP/1.1\r\nX: ${"x".repeat(MAX_HEAD)}`);
  for (const reads of [[long], [long.subarray(0, 100), long.subarray(100)]]) {
    const { writes, closed } = feed(reads);
    assert.equal(writes.length, 1);
    assert.ok(writes[0].startsWith("HTTP/1.1 431 "));
    assert.ok(closed);
  }
  // the limit is on the head, not on what follows it in the read
  const ok = enc.encode(
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n" + "x".repeat(MAX_HEAD - 1),
  );
  assert.equal(feed([ok]).writes.length, 1);
  assert.equal(feed([ok]).closed, false);
});
