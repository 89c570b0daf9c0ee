import assert from "node:assert/strict";
import {
  type BufferedProtocol,
  ConnectionResetError,
  createConnection,
  createServer,
  type EventLoop,
  getRunningLoop,
  IPPROTO_TCP,
  run,
  RuntimeError,
  type Server,
  Socket,
  TCP_NODELAY,
  type Transport,
} from "../../mod.ts";
import {
  Collect,
  concat,
  echoServer,
  shutdownServer,
  test,
} from "./_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A server whose protocols are kept in `peers` (to drive them from the test). */
function* collectServer(
  loop: EventLoop,
): Generator<unknown, [Server, number, Collect[]], unknown> {
  const peers: Collect[] = [];
  const server = yield* loop.createServer(
    () => {
      const p = new Collect(loop);
      peers.push(p);
      return p;
    },
    "127.0.0.1",
    0,
  );
  const [, port] = server.sockets[0].getsockname() as [string, number];
  return [server, port, peers];
}

function* until(cond: () => boolean): Generator<unknown, void, unknown> {
  const loop = getRunningLoop();
  for (let i = 0; i < 10000 && !cond(); i++) {
    const f = loop.createFuture<void>();
    loop.callLater(0.001, () => f.setResult(undefined));
    yield* f;
  }
  assert.ok(cond(), "condition not reached");
}

test("dataReceived() gets bytes that stay valid after the call", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port, peers] = yield* collectServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    yield* until(() => peers.length === 1);
    t.write(enc("first"));
    yield* until(() => peers[0].chunks.length >= 1);
    const kept = peers[0].chunks[0];
    t.write(enc("SECOND-OVERWRITES?"));
    yield* until(() => concat(peers[0].chunks).length === 23);
    assert.equal(dec(kept), "first");
    assert.equal(dec(peers[0].bytes()), "firstSECOND-OVERWRITES?");
    t.close();
    yield* shutdownServer(server);
  });
});

test("dataReceived() gets large reads that stay valid while later reads arrive", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port, peers] = yield* collectServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    yield* until(() => peers.length === 1);
    // Large reads are handed out as views of a shared receive slab: each
    // must keep its bytes while the next ones are received after it.
    const size = 40_000;
    let sent = 0;
    for (let i = 1; i <= 12; i++) {
      t.write(new Uint8Array(size).fill(i));
      sent += size;
      yield* until(() => concat(peers[0].chunks).length === sent);
    }
    const got = concat(peers[0].chunks);
    for (let i = 1; i <= 12; i++) {
      const part = got.subarray((i - 1) * size, i * size);
      assert.ok(part.every((x) => x === i), `bytes of write ${i} changed`);
    }
    t.close();
    yield* shutdownServer(server);
  });
});

test("write() after close() throws RuntimeError and queues nothing", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    t.close();
    assert.throws(() => t.write(enc("x")), RuntimeError);
    assert.throws(() => t.writelines([enc("x")]), RuntimeError);
    assert.equal(t.getWriteBufferSize(), 0);
    assert.equal(yield* p.lost, null);
    yield* shutdownServer(server);
  });
});

test("write() rejects anything but a Uint8Array", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    assert.throws(() => t.write("text" as unknown as Uint8Array), TypeError);
    assert.throws(
      () => t.writelines([enc("ok"), 5 as unknown as Uint8Array]),
      TypeError,
    );
    assert.equal(t.getWriteBufferSize(), 0);
    t.close();
    yield* shutdownServer(server);
  });
});

test("writeEof() half-closes: the peer sees EOF and can still answer", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    assert.equal(t.canWriteEof(), true);
    t.write(enc("hello"));
    t.writeEof();
    assert.throws(() => t.write(enc("more")), RuntimeError);
    // The echo server answers, then closes on EOF.
    assert.equal(yield* p.lost, null);
    assert.equal(dec(p.bytes()), "hello");
    assert.deepEqual(p.events, ["made", "eof", "lost"]);
    yield* shutdownServer(server);
  });
});

test("pauseReading() stops dataReceived until resumeReading()", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port, peers] = yield* collectServer(loop);
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    yield* until(() => peers.length === 1);
    t.pauseReading();
    assert.equal(t.isReading(), false);
    peers[0].transport.write(enc("while paused"));
    for (let i = 0; i < 20; i++) yield* tick(loop);
    assert.equal(p.chunks.length, 0);
    t.resumeReading();
    assert.equal(t.isReading(), true);
    yield* until(() => p.chunks.length > 0);
    assert.equal(dec(p.bytes()), "while paused");
    t.close();
    yield* shutdownServer(server);
  });
});

function* tick(loop: EventLoop): Generator<unknown, void, unknown> {
  const f = loop.createFuture<void>();
  loop.callLater(0.001, () => f.setResult(undefined));
  yield* f;
}

for (const path of ["write", "writelines"] as const) {
  test(`${path}() calls pauseWriting/resumeWriting at the water marks and stays bounded`, async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const [server, port, peers] = yield* collectServer(loop);
      const [t, p] = yield* createConnection(
        loop,
        () => new Collect(loop),
        "127.0.0.1",
        port,
      );
      yield* until(() => peers.length === 1);
      peers[0].transport.pauseReading(); // a slow reader
      t.setWriteBufferLimits(64 * 1024);
      const chunk = new Uint8Array(16 * 1024).fill(7);
      let max = 0;
      let sent = 0;
      // Write until paused: the kernel buffers fill, then ours.
      while (!p.events.includes("pause") && sent < 64 * 1024 * 1024) {
        if (path === "write") t.write(chunk);
        else t.writelines([chunk.subarray(0, 100), chunk.subarray(100)]);
        sent += chunk.length;
        max = Math.max(max, t.getWriteBufferSize());
      }
      assert.deepEqual(p.events, ["made", "pause"]);
      // Within the high-water mark plus one write.
      assert.ok(max <= 64 * 1024 + chunk.length, `buffered ${max}`);
      peers[0].transport.resumeReading();
      yield* until(() => p.events.includes("resume"));
      assert.deepEqual(p.events, ["made", "pause", "resume"]);
      yield* until(() => peers[0].bytes().length === sent);
      t.close();
      yield* shutdownServer(server);
    });
  });
}

test("setWriteBufferLimits() rejects low > high and keeps the old limits", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    assert.deepEqual(t.getWriteBufferLimits(), [16384, 65536]);
    assert.throws(() => t.setWriteBufferLimits(10, 20), RangeError);
    assert.deepEqual(t.getWriteBufferLimits(), [16384, 65536]);
    t.setWriteBufferLimits(undefined, 100);
    assert.deepEqual(t.getWriteBufferLimits(), [100, 400]);
    t.close();
    yield* shutdownServer(server);
  });
});

test("BufferedProtocol receives into its own buffer", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const buf = new Uint8Array(4);
    const got: number[] = [];
    const done = loop.createFuture<void>();
    const proto: BufferedProtocol = {
      getBuffer: () => buf,
      bufferUpdated: (n) => {
        got.push(...buf.subarray(0, n));
        if (got.length === 10) done.setResult(undefined);
      },
    };
    const [t] = yield* createConnection(loop, () => proto, "127.0.0.1", port);
    t.write(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    yield* done;
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    t.close();
    yield* shutdownServer(server);
  });
});

test("BufferedProtocol: a buffer that shrinks between reads gets no more bytes than it holds", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    // A length-tracking view: the same object, but shorter after resize().
    const rab = new ArrayBuffer(8, { maxByteLength: 8 });
    const buf = new Uint8Array(rab);
    const sizes: Array<[number, number]> = [];
    const got: number[] = [];
    const done = loop.createFuture<void>();
    const proto: BufferedProtocol = {
      getBuffer: () => buf,
      bufferUpdated: (n) => {
        sizes.push([n, buf.length]);
        got.push(...buf.subarray(0, n));
        rab.resize(2);
        // An overrun ends the test at once (its bytes would be lost).
        if (got.length === 30 || n > sizes[sizes.length - 1][1]) {
          done.setResult(undefined);
        }
      },
    };
    const [t] = yield* createConnection(loop, () => proto, "127.0.0.1", port);
    const sent = Array.from({ length: 30 }, (_, i) => i);
    t.write(new Uint8Array(sent));
    yield* done;
    assert.deepEqual(got, sent);
    for (const [n, len] of sizes) assert.ok(n <= len, `${n} bytes into ${len}`);
    assert.ok(sizes.slice(1).every(([n]) => n <= 2));
    t.close();
    yield* shutdownServer(server);
  });
});

test("getExtraInfo() gives peername, sockname and socket", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    assert.deepEqual(t.getExtraInfo("peername"), ["127.0.0.1", port]);
    const sockname = t.getExtraInfo("sockname") as [string, number];
    assert.equal(sockname[0], "127.0.0.1");
    const sock = t.getExtraInfo("socket") as Socket;
    assert.ok(sock instanceof Socket);
    assert.equal(sock.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
    assert.equal(t.getExtraInfo("nope", 42), 42);
    t.close();
    yield* shutdownServer(server);
  });
});

test("abort() drops the backlog and calls connectionLost(null)", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port, peers] = yield* collectServer(loop);
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    yield* until(() => peers.length === 1);
    peers[0].transport.pauseReading();
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < 16 && t.getWriteBufferSize() === 0; i++) t.write(big);
    assert.ok(t.getWriteBufferSize() > 0);
    t.abort();
    assert.equal(t.isClosing(), true);
    assert.equal(t.getWriteBufferSize(), 0);
    assert.equal(yield* p.lost, null);
    yield* shutdownServer(server);
  });
});

test("connectionLost() gets ConnectionResetError when the peer resets", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port, peers] = yield* collectServer(loop);
    const [t] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    yield* until(() => peers.length === 1);
    const sock = peers[0].transport.getExtraInfo("socket") as Socket;
    // SO_LINGER {on, 0}: close sends RST at once.
    sock.setsockopt(1, 13, new Uint8Array(new Int32Array([1, 0]).buffer));
    peers[0].transport.abort();
    const p = (t as Transport).getProtocol() as Collect;
    t.write(enc("to a dead peer"));
    const exc = yield* p.lost;
    assert.ok(exc instanceof ConnectionResetError, String(exc));
    yield* shutdownServer(server);
  });
});

test("getExtraInfo() still gives sockname and peername after the connection closed", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [server, port] = yield* echoServer(loop);
    const client = new Collect(loop);
    const [t] = yield* createConnection(loop, () => client, "127.0.0.1", port);
    const local = (t.getExtraInfo("socket") as Socket).getsockname();
    // Never asked for while open: it must have been kept at the close.
    t.close();
    yield* client.lost;
    assert.deepEqual(t.getExtraInfo("sockname"), local);
    assert.deepEqual(t.getExtraInfo("peername"), ["127.0.0.1", port]);
    yield* shutdownServer(server);
  });
});

test("an accepted connection's transport gives the server's address as sockname", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const accepted = loop.createFuture<Transport>();
    const server = yield* createServer(
      loop,
      () => ({
        connectionMade: (t: Transport) => accepted.setResult(t),
        dataReceived() {},
      }),
      "127.0.0.1",
      0,
    );
    const addr = server.sockets[0].getsockname();
    const client = new Collect(loop);
    const [t] = yield* createConnection(
      loop,
      () => client,
      ...(addr as [string, number]),
    );
    const st = yield* accepted;
    assert.deepEqual(st.getExtraInfo("sockname"), addr);
    assert.deepEqual(
      st.getExtraInfo("peername"),
      (t.getExtraInfo("socket") as Socket).getsockname(),
    );
    t.close();
    yield* shutdownServer(server);
  });
});
