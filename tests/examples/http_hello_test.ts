import assert from "node:assert/strict";
import {
  createServer,
  getRunningLoop,
  openConnection,
  run,
  type Server,
  startServer,
} from "../../mod.ts";
import { HttpHello } from "../../examples/http_hello_protocol.ts";
import { serve } from "../../examples/http_hello_streams.ts";
import { MAX_HEAD } from "../../examples/_http.ts";
import { test } from "../poll/_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const servers = {
  streams: () => startServer(serve, "127.0.0.1", 0, { limit: MAX_HEAD }),
  protocol: () =>
    createServer(getRunningLoop(), () => new HttpHello(), "127.0.0.1", 0),
};

/** Send `raw`, half-close, return everything the server answered. */
function* exchange(server: Server, raw: string) {
  const [, port] = server.sockets[0].getsockname() as [string, number];
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  writer.write(enc.encode(raw));
  writer.writeEof();
  const answer = dec.decode(yield* reader.read());
  writer.close();
  yield* writer.waitClosed();
  return answer;
}

const count = (s: string, sub: string) => s.split(sub).length - 1;

for (const [name, start] of Object.entries(servers)) {
  test(`http_hello_${name}: answers pipelined keep-alive requests in order`, async () => {
    await run(function* () {
      const server = yield* start();
      const answer = yield* exchange(
        server,
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n" +
          "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
          "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n" +
          "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" +
          "GET /never HTTP/1.1\r\nHost: a\r\n\r\n",
      );
      assert.equal(count(answer, "HTTP/1.1 200 OK"), 4);
      assert.equal(count(answer, "Hello, World!"), 3, "none for HEAD");
      assert.equal(count(answer, "Connection: close"), 1);
      server.close();
      yield* server.waitClosed();
    });
  });

  test(`http_hello_${name}: refuses bad requests and closes`, async () => {
    await run(function* () {
      const server = yield* start();
      const cases: [string, string][] = [
        ["GET / HTTP/1.1\r\n\r\n", "400"], // no Host
        ["GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "400"],
        ["GET / HTTP/1.1\r\nHost : a\r\n\r\n", "400"],
        [
          "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
          "400",
        ],
        [
          "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
          "501",
        ],
        ["BAD\r\n\r\n", "400"],
        [`GET / HTTP/1.1\r\nHost: a\r\nX: ${"x".repeat(70000)}\r\n\r\n`, "431"],
      ];
      for (const [raw, status] of cases) {
        const answer = yield* exchange(
          server,
          raw + "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        );
        assert.ok(
          answer.startsWith(`HTTP/1.1 ${status} `),
          `${status}: ${answer.slice(0, 40)}`,
        );
        assert.equal(count(answer, "HTTP/1.1"), 1, "closed after the refusal");
      }
      server.close();
      yield* server.waitClosed();
    });
  });

  test(`http_hello_${name}: HTTP/1.0 closes unless keep-alive is asked`, async () => {
    await run(function* () {
      const server = yield* start();
      const closed = yield* exchange(
        server,
        "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n",
      );
      assert.equal(count(closed, "HTTP/1.0 200 OK"), 1);
      const kept = yield* exchange(
        server,
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
      );
      assert.equal(count(kept, "HTTP/1.0 200 OK"), 2);
      assert.equal(count(kept, "Connection: keep-alive"), 1);
      server.close();
      yield* server.waitClosed();
    });
  });
}
