import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  connectAcceptedSocket,
  ConnectionRefusedError,
  createConnection,
  getRunningLoop,
  OSError,
  run,
  sleep,
  Socket,
} from "../../mod.ts";
import { socketPair } from "../../poll/mod.ts";
import { connectError, interleaveFamilies } from "../../net/connection.ts";
import { staggeredRace } from "../../net/_staggered.ts";
import type { AddrInfo } from "../../poll/getaddrinfo.ts";
import {
  Collect,
  echoServer,
  openFds,
  shutdownServer,
  test,
} from "./_helpers.ts";

/** A port nobody listens on: bound, never listening, then closed. */
function deadPort(family = AF_INET): number {
  using s = new Socket({ family });
  s.bind([family === AF_INET ? "127.0.0.1" : "::1", 0]);
  return (s.getsockname() as [string, number])[1];
}

for (const form of ["generator", "async"] as const) {
  test(`createConnection() to a closed port fails with ConnectionRefusedError naming the address (${form})`, async () => {
    const port = deadPort();
    await run(function* () {
      const loop = getRunningLoop();
      const f = () =>
        createConnection(loop, () => new Collect(loop), "127.0.0.1", port);
      const err = form === "generator"
        ? yield* (function* () {
          try {
            yield* f();
          } catch (e) {
            return e;
          }
        })()
        : yield* loop.createTask(async () => {
          try {
            await f();
          } catch (e) {
            return e;
          }
        });
      assert.ok(err instanceof ConnectionRefusedError, String(err));
      assert.match(
        (err as Error).message,
        new RegExp(`127\\.0\\.0\\.1:${port}`),
      );
    });
  });
}

test("createConnection() to ::1 works and reports IPv6 names", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* loop.createServer(() => new Collect(loop), "::1", 0);
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "::1",
      port,
    );
    assert.deepEqual(t.getExtraInfo("peername"), ["::1", port, 0, 0]);
    t.close();
    yield* shutdownServer(server);
  });
});

test("createConnection() rejects bad input before opening anything", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const before = openFds().length;
    const mk = () => new Collect(loop);
    assert.throws(
      () => createConnection(loop, mk, "127.0.0.1", 70000),
      RangeError,
    );
    assert.throws(
      () => createConnection(loop, mk, "127.0.0.1", -1),
      RangeError,
    );
    assert.throws(
      () => createConnection(loop, mk, "127.0.0.1", 1.5),
      TypeError,
    );
    assert.throws(
      () => createConnection(loop, mk, "127.0.0.1", 80, { family: 99 }),
      RangeError,
    );
    assert.throws(() => createConnection(loop, mk), TypeError);
    assert.throws(
      () => createConnection(loop, mk, "127.0.0.1", 80, { sock: 0 }),
      TypeError,
    );
    assert.throws(
      () => createConnection(loop, mk, "127.0.0.1", 80, { ssl: "yes" }),
      /ssl must be true or an SSLContext/,
    );
    assert.throws(
      () =>
        createConnection(loop, mk, "127.0.0.1", 80, { serverHostname: "x" }),
      TypeError,
    );
    assert.equal(openFds().length, before);
  });
});

test("createConnection() binds localAddr first", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const local = deadPort();
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
      {
        localAddr: ["127.0.0.1", local],
      },
    );
    assert.deepEqual(t.getExtraInfo("sockname"), ["127.0.0.1", local]);
    t.close();
    yield* shutdownServer(server);
  });
});

test("createConnection() adopts a connected sock", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const sock = new Socket();
    yield* loop.sockConnect(sock, ["127.0.0.1", port]);
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      null,
      null,
      { sock },
    );
    assert.equal(t.getExtraInfo("socket"), sock);
    t.write(new Uint8Array([5]));
    t.writeEof();
    yield* p.lost;
    assert.deepEqual(p.bytes(), new Uint8Array([5]));
    assert.equal(sock.fileno(), -1); // closed with the transport
    yield* shutdownServer(server);
  });
});

test("connectAcceptedSocket() runs a protocol on a socket pair end", async () => {
  const [a, b] = socketPair({ nonblocking: true });
  using peer = new Socket({ fileno: b });
  await run(function* () {
    const loop = getRunningLoop();
    const [t, p] = yield* connectAcceptedSocket(
      loop,
      () => new Collect(loop),
      a,
    );
    peer.send(new Uint8Array([1, 2]));
    peer.shutdown(1);
    yield* p.lost;
    assert.deepEqual(p.bytes(), new Uint8Array([1, 2]));
    assert.equal(t.isClosing(), true);
  });
});

test("createConnection() with happyEyeballsDelay connects", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "localhost",
      port,
      {
        happyEyeballsDelay: 0.25,
      },
    );
    assert.equal(t.isClosing(), false);
    t.close();
    yield* shutdownServer(server);
  });
});

test("staggeredRace() moves on at once when an attempt fails, and the first success wins", async () => {
  const dead = deadPort();
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const attempt = (p: number) => () => {
      const s = new Socket();
      const f = loop.createFuture<Socket>();
      loop.sockConnect(s, ["127.0.0.1", p]).addDoneCallback((c) => {
        if (c.exception()) {
          s.close();
          f.setException(c.exception());
        } else f.setResult(s);
      });
      return f;
    };
    const errors: unknown[] = [];
    const t0 = loop.time();
    // A long delay: only the failure of the first may start the second.
    const sock = yield* staggeredRace(
      loop,
      [attempt(dead), attempt(port)],
      30,
      errors,
    );
    assert.ok(loop.time() - t0 < 5);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ConnectionRefusedError);
    sock.close();
    yield* shutdownServer(server);
  });
});

test("connectError() keeps one error, and lists different ones in one OSError", () => {
  const refused = new ConnectionRefusedError(
    111,
    "Cannot connect to 127.0.0.1:1: refused",
  );
  const other = new OSError(101, "Cannot connect to [::1]:1: unreachable");
  assert.equal(connectError([refused], false), refused);
  assert.equal(connectError([refused, refused], false), refused);
  const both = connectError([refused, other], false) as OSError;
  assert.ok(both instanceof OSError);
  assert.match(
    both.message,
    /^Multiple exceptions: .*127\.0\.0\.1:1.*\[::1\]:1/,
  );
  const all = connectError([refused, other], true) as AggregateError;
  assert.deepEqual(all.errors, [refused, other]);
});

test("interleaveFamilies() alternates families, first-count of the first", () => {
  const a = (f: number, n: number): AddrInfo => [f, 1, 6, "", [String(n), 0]];
  const infos = [
    a(AF_INET6, 1),
    a(AF_INET6, 2),
    a(AF_INET6, 3),
    a(AF_INET, 4),
    a(AF_INET, 5),
  ];
  assert.deepEqual(interleaveFamilies(infos, 1).map((i) => i[4][0]), [
    "1",
    "4",
    "2",
    "5",
    "3",
  ]);
  assert.deepEqual(interleaveFamilies(infos, 2).map((i) => i[4][0]), [
    "1",
    "2",
    "4",
    "3",
    "5",
  ]);
});

test("createConnection() and close() 10,000 times leak no fd", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const before = openFds().length;
    const one = function* () {
      const [t, p] = yield* createConnection(
        loop,
        () => new Collect(loop),
        "127.0.0.1",
        port,
      );
      t.close();
      yield* p.lost;
    };
    for (let round = 0; round < 100; round++) {
      const tasks = [];
      for (let i = 0; i < 100; i++) tasks.push(loop.createTask(one()));
      for (const t of tasks) yield* t;
    }
    yield* shutdownServer(server);
    assert.ok(openFds().length <= before);
  });
});

test("createConnection() fails with the error connectionMade() threw, reports it, and closes the socket", async () => {
  const reported: unknown[] = [];
  const boom = new Error("boom in connectionMade");
  await run(function* () {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_l, ctx) => reported.push(ctx.exception));
    const [server, port] = yield* echoServer(loop);
    let lost = 0;
    const err = yield* (function* () {
      try {
        yield* createConnection(
          loop,
          () => ({
            connectionMade() {
              throw boom;
            },
            dataReceived() {},
            connectionLost() {
              lost++;
            },
          }),
          "127.0.0.1",
          port,
        );
      } catch (e) {
        return e;
      }
    })();
    assert.equal(err, boom);
    yield* sleep(0.01);
    assert.equal(lost, 1);
    yield* shutdownServer(server);
  });
  assert.deepEqual(reported, [boom]);
});
