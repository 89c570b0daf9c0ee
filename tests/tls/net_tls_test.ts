/**
 * TLS over net/'s real socket transports: the `ssl` option of
 * createConnection/createServer and their Unix forms, on loopback.
 */

import assert from "node:assert/strict";
import type { ExceptionContext } from "../../futures/_loop.ts";
import { sleep } from "../../futures/sleep.ts";
import { getRunningLoop } from "../../loop/policy.ts";
import { run } from "../../loop/run.ts";
import { createConnection } from "../../net/connection.ts";
import { createServer } from "../../net/create_server.ts";
import type { Server } from "../../net/server.ts";
import type { Transport } from "../../net/types.ts";
import { createUnixConnection, createUnixServer } from "../../net/unix.ts";
import { SSLCertVerificationError } from "../../tls/errors.ts";
import {
  clientContext,
  dec,
  enc,
  Recorder,
  serverContext,
  tlsTest,
} from "./_helpers.ts";

const census = { census: true };

function portOf(server: Server): number {
  return (server.sockets[0].getsockname() as [string, number])[1];
}

function* closeServer(server: Server) {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
  for (let i = 0; i < 3; i++) yield* sleep(0);
}

tlsTest(
  "createConnection() and createServer() with ssl echo over loopback (generator form)",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const served: Recorder[] = [];
      const server = yield* createServer(
        loop,
        () => {
          const r = new Recorder(loop);
          r.echo = true;
          served.push(r);
          return r;
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [t, app] = yield* createConnection(
        loop,
        () => new Recorder(loop),
        "127.0.0.1",
        portOf(server),
        { ssl: cctx }, // serverHostname defaults to the host: an IP SAN here
      );
      assert.equal(t.getExtraInfo("version"), "TLSv1.3");
      assert.ok(Array.isArray(t.getExtraInfo("peername")));
      t.write(enc("over a real socket"));
      yield* app.received(18);
      assert.equal(dec(app.data()), "over a real socket");
      t.close();
      assert.equal(yield* app.lost, null);
      assert.equal(yield* served[0].lost, null);
      assert.equal(served[0].eof, true);
      yield* closeServer(server);
    }),
  census,
);

tlsTest(
  "createConnection() with ssl carries 10 MB over loopback (async form)",
  () =>
    run(async () => {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const server = await createServer(
        loop,
        () => {
          const r = new Recorder(loop);
          r.echo = true;
          return r;
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [t, app] = await createConnection(
        loop,
        () => new Recorder(loop),
        "127.0.0.1",
        portOf(server),
        { ssl: cctx, serverHostname: "localhost" },
      );
      const total = 10 * 1024 * 1024;
      const data = new Uint8Array(total);
      for (let i = 0; i < total; i++) data[i] = (i * 31 + (i >> 11)) & 0xff;
      let off = 0;
      let seed = 7;
      while (off < total) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = Math.min(1 + (seed % 100000), total - off);
        t.write(data.subarray(off, off + n));
        off += n;
        if (t.getWriteBufferSize() > 256 * 1024) await sleep(0.001);
      }
      await app.received(total);
      assert.deepEqual(app.data(), data);
      t.close();
      await app.lost;
      server.close();
      server.closeClients();
      await server.waitClosed();
      for (let i = 0; i < 3; i++) await sleep(0);
    }),
  census,
);

tlsTest(
  "createConnection() with ssl: true refuses a server its system store does not trust",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      const reported: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, ctx) => reported.push(ctx));
      using sctx = serverContext();
      const server = yield* createServer(
        loop,
        () => new Recorder(loop),
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      let err: unknown = null;
      try {
        yield* createConnection(
          loop,
          () => new Recorder(loop),
          "localhost",
          portOf(server),
          { ssl: true },
        );
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof SSLCertVerificationError);
      assert.match(err.verifyMessage, /unable to get local issuer certificate/);
      // The server logs its side and keeps serving.
      while (reported.length < 2) yield* sleep(0.005);
      assert.ok(server.isServing());
      yield* closeServer(server);
    }),
  census,
);

tlsTest(
  "createServer() with ssl survives a client that speaks no TLS",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      const reported: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, ctx) => reported.push(ctx));
      using sctx = serverContext();
      using cctx = clientContext();
      const server = yield* createServer(
        loop,
        () => {
          const r = new Recorder(loop);
          r.echo = true;
          return r;
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [plain, papp] = yield* createConnection(
        loop,
        () => new Recorder(loop),
        "127.0.0.1",
        portOf(server),
      );
      plain.write(enc("GET / HTTP/1.1\r\n\r\n"));
      assert.equal(yield* papp.lost, null); // the server hung up
      assert.match(
        String((reported[0]?.exception as Error)?.message),
        /HTTP_REQUEST/,
      );
      const [t, app] = yield* createConnection(
        loop,
        () => new Recorder(loop),
        "127.0.0.1",
        portOf(server),
        {
          ssl: cctx,
        },
      );
      t.write(enc("still here"));
      yield* app.received(10);
      t.close();
      yield* app.lost;
      yield* closeServer(server);
    }),
  census,
);

tlsTest(
  "createUnixConnection() and createUnixServer() with ssl echo over a Unix socket",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const path = `/tmp/asyncio-tls-${Deno.pid}.sock`;
      const server = yield* createUnixServer(
        loop,
        () => {
          const r = new Recorder(loop);
          r.echo = true;
          return r;
        },
        path,
        { ssl: sctx },
      );
      assert.throws(
        () =>
          createUnixConnection(loop, () => new Recorder(loop), path, {
            ssl: cctx,
          }),
        /set serverHostname/,
      );
      const [t, app] = yield* createUnixConnection(
        loop,
        () => new Recorder(loop),
        path,
        {
          ssl: cctx,
          serverHostname: "localhost",
        },
      );
      t.write(enc("unix and tls"));
      yield* app.received(12);
      assert.equal(dec(app.data()), "unix and tls");
      t.close();
      yield* app.lost;
      yield* closeServer(server);
    }),
  census,
);

tlsTest(
  "createConnection() refuses TLS options without ssl, changing nothing",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      const mk = () => new Recorder(loop);
      assert.throws(
        () =>
          createConnection(loop, mk, "127.0.0.1", 1, {
            sslHandshakeTimeout: 1,
          }),
        /only meaningful with ssl/,
      );
      assert.throws(
        () => createServer(loop, mk, "127.0.0.1", 0, { ssl: true as never }),
        /needs an SSLContext/,
      );
      yield* sleep(0);
    }),
  census,
);

export type { Transport };

tlsTest(
  "createServer() with ssl serves 20 TLS clients at once over loopback",
  () =>
    run(async () => {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const server = await createServer(
        loop,
        () => {
          const r = new Recorder(loop);
          r.echo = true;
          return r;
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const [t, app] = await createConnection(
          loop,
          () => new Recorder(loop),
          "127.0.0.1",
          portOf(server),
          { ssl: cctx },
        );
        const msg = `client ${i} `.repeat(100);
        t.write(enc(msg));
        await app.received(msg.length);
        assert.equal(dec(app.data()), msg);
        t.close();
        await app.lost;
      }));
      server.close();
      await server.waitClosed();
      for (let i = 0; i < 3; i++) await sleep(0);
    }),
  census,
);
