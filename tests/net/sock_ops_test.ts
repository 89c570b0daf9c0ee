import assert from "node:assert/strict";
import {
  AF_INET,
  CancelledError,
  ConnectionRefusedError,
  type EventLoop,
  getRunningLoop,
  run,
  sleep,
  SOCK_DGRAM,
  Socket,
} from "../../mod.ts";
import { socketPair } from "../../poll/mod.ts";
import { libc } from "../../poll/_libc.ts";
import { test } from "./_helpers.ts";
import { scaffoldLibc } from "../poll/_scaffold_libc.ts";

/** A non-blocking connected pair of our sockets. */
function pair(): [Socket, Socket] {
  const [a, b] = socketPair({ nonblocking: true });
  return [new Socket({ fileno: a }), new Socket({ fileno: b })];
}

/** Await `make()` with yield* (generator) or await (async function). */
function inForm<T>(
  loop: EventLoop,
  form: "generator" | "async",
  make: () => PromiseLike<T> & Iterable<unknown, T, unknown>,
) {
  return form === "generator"
    ? loop.createTask(function* () {
      return yield* make();
    })
    : loop.createTask(async () => await make());
}

for (const form of ["generator", "async"] as const) {
  test(`sockRecv() and sockSendall() move bytes and wait when needed (${form})`, async () => {
    const [a, b] = pair();
    await run(function* () {
      const loop = getRunningLoop();
      const recv = inForm(loop, form, () => loop.sockRecv(a, 100));
      yield* sleep(0);
      yield* inForm(
        loop,
        form,
        () => loop.sockSendall(b, new Uint8Array([1, 2, 3])),
      );
      assert.deepEqual(yield* recv, new Uint8Array([1, 2, 3]));
      // A send bigger than the socket buffer waits for the reader.
      const big = new Uint8Array(4 << 20).map((_, i) => i & 0xff);
      const sending = inForm(loop, form, () => loop.sockSendall(b, big));
      const got = new Uint8Array(big.length);
      let n = 0;
      while (n < big.length) {
        n += yield* inForm(
          loop,
          form,
          () => loop.sockRecvInto(a, got.subarray(n)),
        );
      }
      yield* sending;
      assert.deepEqual(got, big);
      b.shutdown(1);
      assert.equal((yield* loop.sockRecv(a, 10)).length, 0); // EOF
    });
    a.close();
    b.close();
  });

  test(`sockAccept() and sockConnect() make a connection (${form})`, async () => {
    using server = new Socket();
    server.bind(["127.0.0.1", 0]);
    server.listen();
    const addr = server.getsockname();
    await run(function* () {
      const loop = getRunningLoop();
      const accepting = inForm(loop, form, () => loop.sockAccept(server));
      const client = new Socket();
      yield* inForm(loop, form, () => loop.sockConnect(client, addr));
      const [conn, peer] = yield* accepting;
      assert.deepEqual(peer, client.getsockname());
      yield* loop.sockSendall(conn, new Uint8Array([42]));
      assert.deepEqual(yield* loop.sockRecv(client, 1), new Uint8Array([42]));
      conn.close();
      client.close();
    });
  });
}

test("sockConnect() to a closed port fails with ConnectionRefusedError", async () => {
  const port = (() => {
    using s = new Socket();
    s.bind(["127.0.0.1", 0]);
    return (s.getsockname() as [string, number])[1];
  })();
  await run(function* () {
    const loop = getRunningLoop();
    using c = new Socket();
    try {
      yield* loop.sockConnect(c, ["127.0.0.1", port]);
      assert.fail("connected");
    } catch (e) {
      assert.ok(e instanceof ConnectionRefusedError);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    }
  });
});

test("sockConnect() resolves localhost", async () => {
  using server = new Socket();
  server.bind(["127.0.0.1", 0]);
  server.listen();
  const [, port] = server.getsockname() as [string, number];
  await run(function* () {
    const loop = getRunningLoop();
    using c = new Socket();
    yield* loop.sockConnect(c, ["localhost", port]);
    assert.deepEqual(c.getpeername(), ["127.0.0.1", port]);
  });
});

test("sockRecv() cancelled stops watching the fd and loses no data", async () => {
  const [a, b] = pair();
  await run(function* () {
    const loop = getRunningLoop();
    const f = loop.sockRecv(a, 10);
    f.cancel();
    try {
      yield* f;
    } catch (e) {
      assert.ok(e instanceof CancelledError);
    }
    yield* sleep(0); // done callbacks run on the next iteration, as asyncio's
    assert.equal(loop.removeReader(a.fileno()), false);
    b.send(new Uint8Array([7]));
    assert.deepEqual(yield* loop.sockRecv(a, 10), new Uint8Array([7]));
  });
  a.close();
  b.close();
});

test("sock* coroutines reject blocking or closed sockets and bad sizes", async () => {
  const [a, b] = pair();
  await run(function* () {
    const loop = getRunningLoop();
    a.setBlocking(true);
    assert.throws(() => loop.sockRecv(a, 1), TypeError);
    a.setBlocking(false);
    assert.throws(() => loop.sockRecv(a, -1), RangeError);
    assert.throws(
      () => loop.sockSendall(a, "x" as unknown as Uint8Array),
      TypeError,
    );
    b.close();
    assert.throws(() => loop.sockRecv(b, 1), /EBADF/);
  });
  a.close();
});

test("sockSendto() and sockRecvfrom() carry datagrams with addresses", async () => {
  using rx = new Socket({ family: AF_INET, type: SOCK_DGRAM });
  rx.bind(["127.0.0.1", 0]);
  using tx = new Socket({ family: AF_INET, type: SOCK_DGRAM });
  tx.bind(["127.0.0.1", 0]);
  await run(function* () {
    const loop = getRunningLoop();
    const recv = loop.sockRecvfrom(rx, 100);
    assert.equal(
      yield* loop.sockSendto(tx, new Uint8Array([1, 2]), rx.getsockname()),
      2,
    );
    const [data, from] = yield* recv;
    assert.deepEqual(data, new Uint8Array([1, 2]));
    assert.deepEqual(from, tx.getsockname());
    yield* loop.sockSendto(tx, new Uint8Array([3, 4, 5]), rx.getsockname());
    const buf = new Uint8Array(8);
    const [n] = yield* loop.sockRecvfromInto(rx, buf, 2);
    assert.equal(n, 2); // truncated to nbytes
    assert.deepEqual(buf.subarray(0, 2), new Uint8Array([3, 4]));
  });
});

test("sockSendfile() sends a file range", async () => {
  const [a, b] = pair();
  const enc = new TextEncoder();
  // This test file itself: it is there on every host (Node and Bun run the
  // transpiled tree, which has no deno.json).
  const file = new URL(import.meta.url).pathname;
  const path = enc.encode(file + "\0");
  // A file we can read without write permission.
  const { open } = scaffoldLibc({
    open: { parameters: ["buffer", "i32"], result: "i32" },
  });
  const fd = open(path, 0o2000000);
  const expected = Deno.readFileSync(file);
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const n = yield* loop.sockSendfile(a, fd, 1, 5);
      assert.equal(n, 5);
      assert.deepEqual(yield* loop.sockRecv(b, 100), expected.subarray(1, 6));
    });
  } finally {
    libc().close(fd);
    a.close();
    b.close();
  }
}, { ignore: Deno.build.os !== "linux" });
