import assert from "node:assert/strict";
import type { ExceptionContext } from "../../futures/_loop.ts";
import { Future } from "../../futures/future.ts";
import { sleep } from "../../futures/sleep.ts";
import { getRunningLoop } from "../../loop/policy.ts";
import { run } from "../../loop/run.ts";
import type { Transport } from "../../net/types.ts";
import { ConnectionAbortedError, TimeoutError } from "../../poll/errors.ts";
import { SSLError } from "../../tls/errors.ts";
import { SSLProtocol } from "../../tls/ssl_protocol.ts";
import { startTls } from "../../tls/start_tls.ts";
import {
  clientContext,
  dec,
  enc,
  Recorder,
  serverContext,
  tlsPair,
  tlsTest,
} from "./_helpers.ts";
import { memoryPair } from "./_memory_transport.ts";

function* settle() {
  for (let i = 0; i < 4; i++) yield* sleep(0);
}

function quiet(): ExceptionContext[] {
  const seen: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_l, ctx) => seen.push(ctx));
  return seen;
}

tlsTest(
  "SSLProtocol aborts a handshake that outlasts sslHandshakeTimeout",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      const waiter = new Future<unknown>({ loop });
      const app = new Recorder(loop);
      const ssl = new SSLProtocol(loop, app, sctx, waiter, {
        serverSide: true,
        sslHandshakeTimeout: 5,
      });
      const silent = new Recorder(loop); // a peer that never says hello
      memoryPair(loop, ssl, silent);
      const start = loop.time();
      yield* assertRejects(
        waiter,
        ConnectionAbortedError,
        /taking longer than 5 seconds/,
      );
      assert.ok(loop.time() - start >= 5);
      assert.equal(yield* silent.lost, null);
      assert.equal(app.transport, null); // the app never saw a connection
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol refuses a non-TLS peer with a clear SSLError",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      const reported = quiet();
      using cctx = clientContext();
      const waiter = new Future<unknown>({ loop });
      const ssl = new SSLProtocol(loop, new Recorder(loop), cctx, waiter, {
        serverHostname: "localhost",
      });
      const http = new Recorder(loop);
      const [, peer] = memoryPair(loop, ssl, http);
      yield* http.received(1);
      peer.write(enc("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
      const err = yield* assertRejects(
        waiter,
        SSLError,
        /WRONG_VERSION_NUMBER|PACKET_LENGTH/,
      );
      assert.equal(err.library, "SSL");
      yield* http.lost;
      assert.equal(reported[0].message, "SSL handshake failed");
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol (server) refuses plaintext HTTP with SSLError http request",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      quiet();
      using sctx = serverContext();
      const waiter = new Future<unknown>({ loop });
      const ssl = new SSLProtocol(loop, new Recorder(loop), sctx, waiter, {
        serverSide: true,
      });
      const http = new Recorder(loop);
      const [, peer] = memoryPair(loop, ssl, http);
      yield* sleep(0);
      peer.write(enc("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      yield* assertRejects(waiter, SSLError, /HTTP_REQUEST/);
      yield* http.lost;
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol reports a peer's close_notify as eofReceived, then closes",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      const pair = tlsPair(loop, cctx, sctx, client, server);
      yield* pair.serverReady;
      server.transport!.write(enc("bye"));
      server.transport!.close();
      assert.equal(server.transport!.isClosing(), true);
      assert.equal(yield* client.lost, null);
      assert.equal(client.eof, true);
      assert.equal(dec(client.data()), "bye");
      assert.equal(yield* server.lost, null);
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol reports an abrupt close (no close_notify) as connectionLost(null) without eofReceived",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      const pair = tlsPair(loop, cctx, sctx, client, server);
      yield* pair.serverReady;
      server.transport!.write(enc("partial"));
      yield* client.received(7);
      pair.wires[1].abort(); // the server's socket goes away, no close_notify
      assert.equal(yield* client.lost, null);
      assert.equal(client.eof, false);
      assert.equal(dec(client.data()), "partial");
      yield* server.lost;
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol gives up on a peer that never answers close_notify after sslShutdownTimeout",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      const pair = tlsPair(loop, cctx, sctx, client, server, {
        client: { sslShutdownTimeout: 3 },
      });
      yield* pair.serverReady;
      yield* pair.clientReady;
      pair.wires[1].pauseReading(); // the server stops reading
      const start = loop.time();
      client.transport!.close();
      const exc = yield* client.lost;
      assert.ok(exc instanceof TimeoutError);
      assert.match(exc.message, /SSL shutdown timed out/);
      assert.ok(loop.time() - start >= 3);
      pair.wires[1].abort();
      yield* server.lost;
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLTransport pauses a writer beyond the high water mark and resumes it",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const events: string[] = [];
      const client = new Recorder(loop);
      Object.assign(client, {
        pauseWriting: () => events.push("pause"),
        resumeWriting: () => events.push("resume"),
      });
      const server = new Recorder(loop);
      const pair = tlsPair(loop, cctx, sctx, client, server);
      yield* pair.clientReady;
      const t = client.transport!;
      t.write(new Uint8Array(1024 * 1024).fill(7));
      assert.ok(t.getWriteBufferSize() > 64 * 1024);
      assert.deepEqual(events, ["pause"]);
      yield* server.received(1024 * 1024);
      assert.deepEqual(events, ["pause", "resume"]);
      assert.equal(t.getWriteBufferSize(), 0);
      t.close();
      yield* client.lost;
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLTransport refuses writeEof() and bad write buffer limits",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const pair = tlsPair(loop, cctx, sctx, client, new Recorder(loop));
      yield* pair.clientReady;
      const t = client.transport!;
      assert.equal(t.canWriteEof(), false);
      assert.throws(() => t.writeEof(), /TLS has no half-close/);
      assert.throws(() => t.setWriteBufferLimits(10, 20), RangeError);
      assert.throws(() => t.write("text" as unknown as Uint8Array), TypeError);
      t.setWriteBufferLimits(1000);
      assert.deepEqual(t.getWriteBufferLimits(), [250, 1000]);
      t.close();
      yield* client.lost;
      yield* settle();
    }, { clock: "virtual" }),
);

tlsTest(
  "startTls() upgrades a plaintext connection in place (STARTTLS)",
  () =>
    run(async () => {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      const [ct, st] = memoryPair(loop, client, server);
      await client.made;
      ct.write(enc("STARTTLS\r\n"));
      await server.received(10);
      st.write(enc("220 go ahead\r\n"));
      await client.received(14);
      ct.record = st.record = true;
      const [tc, ts] = await Promise.all([
        loop.startTls(ct, client, cctx, { serverHostname: "localhost" }),
        startTls(loop, st, server, sctx, { serverSide: true }),
      ]);
      tc.write(enc("secret words"));
      await server.received(10 + 12);
      assert.equal(dec(server.data()), "STARTTLS\r\nsecret words");
      const onWire = dec(new Uint8Array(ct.wire.flatMap((c) => [...c])));
      assert.ok(!onWire.includes("secret words"));
      assert.equal(ts.getExtraInfo("version"), "TLSv1.3");
      assert.equal(tc.getProtocol(), client);
      tc.close();
      assert.equal(await client.lost, null);
      await server.lost;
      await settle_async();
    }, { clock: "virtual" }),
);

tlsTest(
  "startTls() fails with the handshake's error and closes the transport",
  () =>
    run(async () => {
      const loop = getRunningLoop();
      quiet();
      using sctx = serverContext("selfsigned.pem", "selfsigned.key");
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      const [ct, st] = memoryPair(loop, client, server);
      await client.made;
      const up = startTls(loop, ct, client, cctx, {
        serverHostname: "localhost",
      });
      const down = startTls(loop, st, server, sctx, { serverSide: true });
      await assert.rejects(async () => await up, /certificate verify failed/);
      await assert.rejects(async () => await down, SSLError);
      assert.equal(ct.isClosing(), true);
      await settle_async();
    }, { clock: "virtual" }),
);

tlsTest(
  "startTls() refuses what is no SSLContext, and bad timeouts",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using cctx = clientContext();
      const [ct] = memoryPair(loop, new Recorder(loop), new Recorder(loop));
      assert.throws(
        () => startTls(loop, ct, new Recorder(loop), {} as never),
        TypeError,
      );
      assert.throws(
        () =>
          startTls(loop, ct, new Recorder(loop), cctx, {
            serverHostname: "localhost",
            sslHandshakeTimeout: 0,
          }),
        RangeError,
      );
      assert.equal(ct.isReading(), true); // nothing changed
      ct.close();
      yield* settle();
    }, { clock: "virtual" }),
);

async function settle_async() {
  for (let i = 0; i < 4; i++) await sleep(0);
}

function* assertRejects<E extends Error>(
  f: Future<unknown>,
  cls: abstract new (...a: never[]) => E,
  re: RegExp,
) {
  try {
    yield* f;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err}`);
    assert.match((err as Error).message, re);
    return err as E;
  }
  throw new Error(`expected ${cls.name}`);
}

// Keep the Transport type import used for readers.
export type { Transport };

tlsTest(
  "SSLTransport.write() after close() throws, after the peer closed it is dropped",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      const pair = tlsPair(loop, cctx, sctx, client, server);
      yield* pair.serverReady;
      yield* pair.clientReady;
      client.transport!.close();
      assert.throws(
        () => client.transport!.write(enc("late")),
        /write before close\(\)/,
      );
      yield* server.lost;
      server.transport!.write(enc("dropped")); // closed by the peer: no error
      yield* client.lost;
      assert.equal(client.size, 0);
      yield* settle();
    }, { clock: "virtual" }),
);
