import assert from "node:assert/strict";
import {
  createConnection,
  createServer,
  createUnixConnection,
  createUnixServer,
  getRunningLoop,
  run,
} from "../../mod.ts";
import { SSLCertVerificationError } from "../../tls/errors.ts";
import { clientContext, serverContext, tlsTest } from "../tls/_helpers.ts";
import { Collect, Echo, shutdownServer } from "./_helpers.ts";

tlsTest(
  "createServer() and createConnection() with ssl echo over TLS",
  async () => {
    using sctx = serverContext();
    using cctx = clientContext();
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* createServer(
        loop,
        () => new Echo(),
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const [t, p] = yield* createConnection(
        loop,
        () => new Collect(loop),
        "127.0.0.1",
        port,
        {
          ssl: cctx,
          serverHostname: "localhost",
        },
      );
      assert.equal(t.getExtraInfo("sslcontext"), cctx);
      assert.match(String(t.getExtraInfo("version")), /TLS/);
      assert.deepEqual(t.getExtraInfo("peername"), ["127.0.0.1", port]);
      const big = new Uint8Array(300_000).map((_, i) => i % 251);
      t.write(big);
      yield* loop.createTask(function* () {
        while (p.bytes().length < big.length) {
          const f = loop.createFuture<void>();
          loop.callLater(0.002, () => f.setResult(undefined));
          yield* f;
        }
      });
      assert.deepEqual(p.bytes(), big);
      t.close();
      yield* p.lost;
      yield* shutdownServer(server);
    });
  },
  { census: true },
);

tlsTest(
  "createConnection() with ssl fails with SSLCertVerificationError for a wrong name",
  async () => {
    using sctx = serverContext();
    using cctx = clientContext();
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* createServer(
        loop,
        () => new Echo(),
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      loop.setExceptionHandler(() => {}); // the server side's failed handshake
      try {
        yield* createConnection(
          loop,
          () => new Collect(loop),
          "127.0.0.1",
          port,
          {
            ssl: cctx,
            serverHostname: "not-the-name.example",
          },
        );
        assert.fail("handshake succeeded");
      } catch (e) {
        assert.ok(e instanceof SSLCertVerificationError, String(e));
      }
      yield* shutdownServer(server);
    });
  },
  { census: true },
);

tlsTest("Unix servers and connections take ssl too", async () => {
  using sctx = serverContext();
  using cctx = clientContext();
  const name = `\0asyncio-tls-${Deno.pid}`;
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createUnixServer(loop, () => new Echo(), name, {
      ssl: sctx,
    });
    const [t, p] = yield* createUnixConnection(
      loop,
      () => new Collect(loop),
      name,
      {
        ssl: cctx,
        serverHostname: "localhost",
      },
    );
    t.write(new Uint8Array([1, 2, 3]));
    yield* loop.createTask(function* () {
      while (p.bytes().length < 3) {
        const f = loop.createFuture<void>();
        loop.callLater(0.002, () => f.setResult(undefined));
        yield* f;
      }
    });
    assert.deepEqual(p.bytes(), new Uint8Array([1, 2, 3]));
    t.close();
    yield* p.lost;
    yield* shutdownServer(server);
  });
}, { census: true });
