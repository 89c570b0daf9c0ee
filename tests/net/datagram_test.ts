import assert from "node:assert/strict";
import {
  AF_INET,
  AF_UNIX,
  ConnectionRefusedError,
  createDatagramEndpoint,
  type DatagramProtocol,
  type DatagramTransport,
  type EventLoop,
  type Future,
  getRunningLoop,
  run,
  RuntimeError,
  SOCK_DGRAM,
  Socket,
  type SocketAddress,
} from "../../mod.ts";
import { DatagramBatch } from "../../poll/socket.ts";
import { test } from "./_helpers.ts";

class Dgrams implements DatagramProtocol {
  t!: DatagramTransport;
  got: Array<[Uint8Array, SocketAddress]> = [];
  errors: Error[] = [];
  lost: Future<Error | null>;
  constructor(loop: EventLoop) {
    this.lost = loop.createFuture();
  }
  connectionMade(t: DatagramTransport) {
    this.t = t;
  }
  datagramReceived(d: Uint8Array, a: SocketAddress) {
    this.got.push([d, a]);
  }
  errorReceived(e: Error) {
    this.errors.push(e);
  }
  connectionLost(e: Error | null) {
    this.lost.setResult(e);
  }
}

function* until(cond: () => boolean) {
  const loop = getRunningLoop();
  for (let i = 0; i < 2000 && !cond(); i++) {
    const f = loop.createFuture<void>();
    loop.callLater(0.001, () => f.setResult(undefined));
    yield* f;
  }
  assert.ok(cond(), "condition not reached");
}

test("createDatagramEndpoint() sends and receives UDP datagrams with addresses, in order", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [a, pa] = yield* createDatagramEndpoint(
      loop,
      () => new Dgrams(loop),
      {
        localAddr: ["127.0.0.1", 0],
      },
    );
    const aAddr = a.getExtraInfo("sockname") as SocketAddress;
    const [b, pb] = yield* createDatagramEndpoint(
      loop,
      () => new Dgrams(loop),
      {
        remoteAddr: aAddr,
      },
    );
    assert.deepEqual(b.getExtraInfo("peername"), aAddr);
    for (let i = 0; i < 100; i++) b.sendto(new Uint8Array([i]));
    yield* until(() => pa.got.length === 100);
    assert.deepEqual(pa.got.map(([d]) => d[0]), [...Array(100).keys()]);
    const bAddr = b.getExtraInfo("sockname");
    assert.deepEqual(pa.got[0][1], bAddr);
    // The data stays valid: each is its own copy.
    assert.notEqual(pa.got[0][0].buffer, pa.got[1][0].buffer);
    a.sendto(new Uint8Array([7, 7]), pa.got[0][1]);
    yield* until(() => pb.got.length === 1);
    assert.deepEqual(pb.got[0][0], new Uint8Array([7, 7]));
    a.close();
    b.close();
    assert.equal(yield* pa.lost, null);
    assert.equal(yield* pb.lost, null);
  });
});

test("DatagramTransport.sendto() validates its address and refuses after close()", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [a] = yield* createDatagramEndpoint(loop, () => new Dgrams(loop), {
      localAddr: ["127.0.0.1", 0],
    });
    assert.throws(() => a.sendto(new Uint8Array([1])), TypeError);
    assert.throws(
      () => a.sendto("x" as unknown as Uint8Array, ["127.0.0.1", 9]),
      TypeError,
    );
    assert.throws(
      () => a.sendto(new Uint8Array([1]), ["127.0.0.1", 70000]),
      RangeError,
    );
    const [b] = yield* createDatagramEndpoint(loop, () => new Dgrams(loop), {
      remoteAddr: a.getExtraInfo("sockname") as SocketAddress,
    });
    assert.throws(
      () => b.sendto(new Uint8Array([1]), ["127.0.0.1", 9]),
      RangeError,
    );
    a.close();
    assert.throws(
      () => a.sendto(new Uint8Array([1]), ["127.0.0.1", 9]),
      RuntimeError,
    );
    assert.equal(a.getWriteBufferSize(), 0);
    b.close();
  });
});

test("errorReceived() gets ConnectionRefusedError from an ICMP error and the endpoint stays open", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const dead = new Socket({ family: AF_INET, type: SOCK_DGRAM });
    dead.bind(["127.0.0.1", 0]);
    const addr = dead.getsockname();
    dead.close();
    const [t, p] = yield* createDatagramEndpoint(loop, () => new Dgrams(loop), {
      remoteAddr: addr,
    });
    t.sendto(new Uint8Array([1]));
    yield* until(() => p.errors.length > 0);
    assert.ok(p.errors[0] instanceof ConnectionRefusedError);
    assert.equal(t.isClosing(), false);
    t.close();
  });
});

test("createDatagramEndpoint() rejects bad input synchronously", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const f = () => new Dgrams(loop);
    assert.throws(() => createDatagramEndpoint(loop, f), RangeError);
    assert.throws(
      () => createDatagramEndpoint(loop, f, { family: 77 }),
      RangeError,
    );
    assert.throws(
      () => createDatagramEndpoint(loop, f, { localAddr: "/x" }),
      TypeError,
    );
    assert.throws(
      () =>
        createDatagramEndpoint(loop, f, {
          sock: 0,
          localAddr: ["127.0.0.1", 0],
        }),
      TypeError,
    );
    using stream = new Socket();
    assert.throws(
      () => createDatagramEndpoint(loop, f, { sock: stream }),
      TypeError,
    );
    assert.throws(
      () =>
        createDatagramEndpoint(loop, f, {
          family: AF_UNIX,
          localAddr: "/" + "x".repeat(200),
        }),
      RangeError,
    );
  });
});

test("createDatagramEndpoint() works on Unix datagram sockets", async () => {
  // An abstract name: no file to clean up.
  const path = `\0asyncio-test-${Deno.pid}-dgram`;
  await run(function* () {
    const loop = getRunningLoop();
    const [a, pa] = yield* createDatagramEndpoint(
      loop,
      () => new Dgrams(loop),
      {
        family: AF_UNIX,
        localAddr: path,
      },
    );
    const [b] = yield* createDatagramEndpoint(loop, () => new Dgrams(loop), {
      family: AF_UNIX,
      remoteAddr: path,
    });
    b.sendto(new Uint8Array([3]));
    yield* until(() => pa.got.length === 1);
    assert.deepEqual(pa.got[0][0], new Uint8Array([3]));
    a.close();
    b.close();
    yield* pa.lost;
  });
}, { ignore: Deno.build.os !== "linux" });

test(
  "DatagramBatch.receive() takes several queued datagrams in one call, each with its sender",
  () => {
    using rx = new Socket({ family: AF_INET, type: SOCK_DGRAM });
    rx.bind(["127.0.0.1", 0]);
    using a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
    using b = new Socket({ family: AF_INET, type: SOCK_DGRAM });
    a.bind(["127.0.0.1", 0]);
    b.bind(["127.0.0.1", 0]);
    a.connect(rx.getsockname());
    b.connect(rx.getsockname());
    for (let i = 0; i < 6; i++) (i % 2 ? b : a).send(new Uint8Array([i]));
    const batch = new DatagramBatch(new Uint8Array(4 * 65536), 4);
    assert.equal(batch.receive(rx.fileno()), 4);
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(batch.data(i), new Uint8Array([i]));
      assert.deepEqual(batch.from(i), (i % 2 ? b : a).getsockname());
    }
    assert.equal(batch.receive(rx.fileno()), 2);
    assert.deepEqual(batch.data(1), new Uint8Array([5]));
    assert.equal(batch.receive(rx.fileno()), -1); // EAGAIN
  },
  { ignore: Deno.build.os !== "linux" },
);

test("createDatagramEndpoint() delivers a 65,000-byte datagram whole", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [a, pa] = yield* createDatagramEndpoint(
      loop,
      () => new Dgrams(loop),
      {
        localAddr: ["127.0.0.1", 0],
      },
    );
    const [b] = yield* createDatagramEndpoint(loop, () => new Dgrams(loop), {
      remoteAddr: a.getExtraInfo("sockname") as SocketAddress,
    });
    const big = new Uint8Array(65000).map((_, i) => i % 253);
    b.sendto(big);
    b.sendto(new Uint8Array([1]));
    yield* until(() => pa.got.length === 2);
    assert.deepEqual(pa.got[0][0], big);
    assert.deepEqual(pa.got[1][0], new Uint8Array([1]));
    a.close();
    b.close();
    yield* pa.lost;
  });
});

test("createDatagramEndpoint() fails with the error connectionMade() threw and closes the socket", async () => {
  const boom = new Error("boom in connectionMade");
  const reported: unknown[] = [];
  await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    loop.setExceptionHandler((_l, ctx) => reported.push(ctx.exception));
    const lost = loop.createFuture<Error | null>();
    const err = yield* (function* () {
      try {
        yield* createDatagramEndpoint(loop, () => ({
          connectionMade() {
            throw boom;
          },
          datagramReceived() {},
          connectionLost: (e: Error | null) => lost.setResult(e),
        }), { localAddr: ["127.0.0.1", 0] });
      } catch (e) {
        return e;
      }
    })();
    assert.equal(err, boom);
    assert.equal(yield* lost, boom);
  });
  assert.deepEqual(reported, [boom]);
});
