import assert from "node:assert/strict";
import {
  AF_INET6,
  CancelledError,
  createConnection,
  createServer,
  getRunningLoop,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  OSError,
  run,
  RuntimeError,
  sleep,
  SO_REUSEPORT,
  Socket,
  SOL_SOCKET,
  type Transport,
} from "../../mod.ts";
import { libc } from "../../poll/_libc.ts";
import {
  Collect,
  Echo,
  echoServer,
  openFds,
  shutdownServer,
  test,
} from "./_helpers.ts";

const F_GETFD = 1;
const FD_CLOEXEC = 1;
const cloexec = (fd: number) =>
  (libc().fcntl(fd, F_GETFD, 0) & FD_CLOEXEC) !== 0;

test("Server.close() stops accepting; waitClosed() waits for the clients", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    server.close();
    assert.equal(server.isServing(), false);
    assert.deepEqual(server.sockets, []);
    let closed = false;
    const waiting = server.waitClosed();
    waiting.addDoneCallback(() => (closed = true));
    // The open client still works.
    t.write(new Uint8Array([9]));
    t.writeEof();
    yield* p.lost;
    assert.deepEqual(p.bytes(), new Uint8Array([9]));
    yield* waiting;
    assert.equal(closed, true);
    yield* server.waitClosed(); // at once now
  });
});

test("Server.closeClients() and abortClients() end the connections", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    for (const how of ["close", "abort"] as const) {
      const [server, port] = yield* echoServer(loop);
      const [, p] = yield* createConnection(
        loop,
        () => new Collect(loop),
        "127.0.0.1",
        port,
      );
      yield* loop.createTask(function* () {
        // Let the server accept.
        for (let i = 0; i < 5; i++) yield* [];
      });
      server.close();
      if (how === "close") server.closeClients();
      else server.abortClients();
      yield* server.waitClosed();
      yield* p.lost;
      assert.ok(p.events.includes("lost"));
    }
  });
});

test("Server.serveForever() serves until cancelled, then is closed", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createServer(loop, () => new Echo(), "127.0.0.1", 0, {
      startServing: false,
    });
    assert.equal(server.isServing(), false);
    const forever = server.serveForever();
    assert.equal(server.isServing(), true);
    assert.throws(() => server.serveForever(), RuntimeError);
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    t.close();
    yield* p.lost;
    forever.cancel();
    try {
      yield* forever;
      assert.fail("serveForever() returned");
    } catch (e) {
      assert.ok(e instanceof CancelledError);
    }
    assert.deepEqual(server.sockets, []);
    assert.throws(() => server.serveForever(), RuntimeError);
    assert.throws(() => server.startServing(), RuntimeError);
  });
});

test("createServer() sets IPV6_V6ONLY on IPv6 sockets and serves several hosts", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createServer(loop, () => new Echo(), [
      "127.0.0.1",
      "::1",
    ], 0);
    assert.equal(server.sockets.length, 2);
    const v6 = server.sockets.find((s) => s.family === AF_INET6)!;
    assert.equal(v6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
    yield* shutdownServer(server);
  });
});

test("createServer() bind failure names the address and leaks no fd", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const before = openFds().length;
    try {
      yield* createServer(loop, () => new Echo(), "127.0.0.1", port, {
        reuseAddress: false,
      });
      assert.fail("bound twice");
    } catch (e) {
      assert.ok(e instanceof OSError);
      assert.equal(e.code, "EADDRINUSE");
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    }
    assert.equal(openFds().length, before);
    yield* shutdownServer(server);
  });
});

test("createServer() rejects bad input synchronously", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const f = () => new Echo();
    assert.throws(() => createServer(loop, f, "127.0.0.1", 65536), RangeError);
    assert.throws(
      () => createServer(loop, f, "127.0.0.1", 0, { family: 1234 }),
      RangeError,
    );
    assert.throws(
      () => createServer(loop, f, "127.0.0.1", 0, { backlog: -1 }),
      RangeError,
    );
    assert.throws(
      () => createServer(loop, f, "127.0.0.1", 0, { sock: 3 }),
      TypeError,
    );
    assert.throws(
      () => createServer(loop, f, "127.0.0.1", 0, { ssl: {} }),
      /ssl must be true or an SSLContext/,
    );
  });
});

test("createServer() with reusePort lets two servers share a port", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const a = yield* createServer(loop, () => new Echo(), "127.0.0.1", 0, {
      reusePort: true,
    });
    const [, port] = a.sockets[0].getsockname() as [string, number];
    const b = yield* createServer(loop, () => new Echo(), "127.0.0.1", port, {
      reusePort: true,
    });
    assert.equal(b.sockets[0].getsockopt(SOL_SOCKET, SO_REUSEPORT), 1);
    yield* shutdownServer(a);
    yield* shutdownServer(b);
  });
});

test("createServer() adopts a bound socket given as an fd", async () => {
  const s = new Socket();
  s.bind(["127.0.0.1", 0]);
  const [, port] = s.getsockname() as [string, number];
  const fd = s.detach();
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createServer(loop, () => new Echo(), null, null, {
      sock: fd,
    });
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    t.write(new Uint8Array([1]));
    t.writeEof();
    yield* p.lost;
    assert.deepEqual(p.bytes(), new Uint8Array([1]));
    yield* shutdownServer(server);
  });
});

test("Server, accepted and client sockets are all close-on-exec", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const accepted: number[] = [];
    const server = yield* createServer(
      loop,
      () => {
        const e = new Echo();
        const made = e.connectionMade.bind(e);
        e.connectionMade = (t) => {
          accepted.push((t.getExtraInfo("socket") as Socket).fileno());
          made(t);
        };
        return e;
      },
      "127.0.0.1",
      0,
    );
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    while (accepted.length === 0) yield* sleep(0.001);
    assert.ok(cloexec(server.sockets[0].fileno()));
    assert.ok(cloexec((t.getExtraInfo("socket") as Socket).fileno()));
    assert.ok(cloexec(accepted[0]));
    t.close();
    yield* shutdownServer(server);
  });
});

test("Server supports await using", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    await using server = await createServer(
      loop,
      () => new Echo(),
      "127.0.0.1",
      0,
    );
    assert.ok(server.isServing());
  });
});

/**
 * A server whose protocol closes each accepted transport at once, one client
 * of it, and the accepted transport once its connection is lost.
 */
function* closedAccepted(loop: ReturnType<typeof getRunningLoop>) {
  const lost = loop.createFuture<Transport>();
  let accepted: Transport | null = null;
  const server = yield* createServer(
    loop,
    () => ({
      connectionMade(t: Transport) {
        accepted = t;
        t.close();
      },
      connectionLost() {
        lost.setResult(accepted!);
      },
      dataReceived() {},
    }),
    "127.0.0.1",
    0,
  );
  const [, port] = server.sockets[0].getsockname() as [string, number];
  const [t, p] = yield* createConnection(
    loop,
    () => new Collect(loop),
    "127.0.0.1",
    port,
  );
  const at = yield* lost;
  return { server, port, t, p, at };
}

test("an accepted transport answers peername, sockname and socket, also after it closed", async () => {
  await run(function* () {
    const { server, port, t, p, at } = yield* closedAccepted(
      getRunningLoop(),
    );
    // Read after connectionLost: the fd is closed, the answers stay.
    assert.deepEqual(at.getExtraInfo("peername"), t.getExtraInfo("sockname"));
    // The same pair each time, as asyncio's one tuple.
    assert.equal(at.getExtraInfo("peername"), at.getExtraInfo("peername"));
    assert.deepEqual(at.getExtraInfo("sockname"), ["127.0.0.1", port]);
    assert.ok(at.getExtraInfo("socket") instanceof Socket);
    assert.equal(at.getExtraInfo("sslcontext", "none"), "none");
    yield* p.lost;
    yield* shutdownServer(server);
  });
});

test("an accepted transport's socket, asked for only after close, is a closed Socket and closes nothing", async () => {
  await run(function* () {
    const { server, t, p, at } = yield* closedAccepted(getRunningLoop());
    // The accepted fd's number is free now and may be reused: a Socket
    // made for it would close someone else's fd.
    const sock = at.getExtraInfo("socket") as Socket;
    assert.equal(sock.fileno(), -1);
    assert.equal(sock.family, server.sockets[0].family);
    assert.equal(at.getExtraInfo("socket"), sock);
    t.close();
    yield* p.lost;
    yield* shutdownServer(server);
  });
});
