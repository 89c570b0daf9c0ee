import assert from "node:assert/strict";
import { sleep } from "../../futures/sleep.ts";
import { getRunningLoop } from "../../loop/policy.ts";
import { run } from "../../loop/run.ts";
import type { Protocol, Transport } from "../../net/types.ts";
import {
  clientContext,
  dec,
  enc,
  Recorder,
  serverContext,
  tlsPair,
  tlsTest,
} from "./_helpers.ts";

tlsTest(
  "SSLProtocol echoes over an in-memory transport (generator form)",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      server.echo = true;
      const pair = tlsPair(loop, cctx, sctx, client, server);
      yield* pair.clientReady;
      const t = yield* client.made;
      t.write(enc("hello over tls"));
      yield* client.received(14);
      assert.equal(dec(client.data()), "hello over tls");
      assert.equal(t.getExtraInfo("version"), "TLSv1.3");
      t.close();
      assert.equal(yield* client.lost, null);
      assert.equal(yield* server.lost, null);
      assert.equal(server.eof, true);
      yield* sleep(0);
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol echoes over an in-memory transport (async form)",
  () =>
    run(async () => {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      server.echo = true;
      const pair = tlsPair(loop, cctx, sctx, client, server);
      await pair.clientReady;
      await pair.serverReady;
      const t = await client.made;
      for (const word of ["a", "bb", "ccc"]) t.write(enc(word));
      await client.received(6);
      assert.equal(dec(client.data()), "abbccc");
      server.transport!.close();
      assert.equal(await client.lost, null);
      assert.equal(client.eof, true);
      await server.lost;
      await sleep(0);
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol carries 10 MB in random chunks without losing a byte",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      server.echo = true;
      const pair = tlsPair(loop, cctx, sctx, client, server);
      yield* pair.clientReady;
      const t = yield* client.made;
      const total = 10 * 1024 * 1024;
      const data = new Uint8Array(total);
      for (let i = 0; i < total; i++) data[i] = (i * 7 + (i >> 13)) & 0xff;
      let off = 0;
      let seed = 12345;
      while (off < total) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = Math.min(1 + (seed % 70000), total - off);
        t.write(data.subarray(off, off + n));
        off += n;
        if (t.getWriteBufferSize() > 0 || (seed & 7) === 0) yield* sleep(0);
      }
      yield* client.received(total);
      assert.equal(client.size, total);
      assert.deepEqual(client.data(), data);
      t.close();
      yield* client.lost;
      yield* server.lost;
      yield* sleep(0);
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol takes records through getBuffer/bufferUpdated, in any pieces, without losing a byte",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      server.echo = true;
      const pair = tlsPair(loop, cctx, sctx, client, server);
      // 7 bytes at a time: records and their headers split across calls.
      for (const w of pair.wires) w.bufferedPiece = 7;
      yield* pair.clientReady;
      const t = yield* client.made;
      const data = new Uint8Array(100_000);
      for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 0xff;
      t.write(data);
      yield* client.received(data.length);
      assert.deepEqual(client.data(), data);
      t.close();
      assert.equal(yield* client.lost, null);
      assert.equal(yield* server.lost, null);
      yield* sleep(0);
    }, { clock: "virtual" }),
);

tlsTest(
  "SSLProtocol fills a BufferedProtocol's own buffers",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using sctx = serverContext();
      using cctx = clientContext();
      const buf = new Uint8Array(1000);
      const got: number[] = [];
      let sizes = 0;
      const app = {
        transport: null as Transport | null,
        connectionMade(t: Transport) {
          this.transport = t;
        },
        getBuffer(hint: number) {
          assert.equal(hint, -1);
          return buf;
        },
        bufferUpdated(n: number) {
          sizes++;
          got.push(...buf.subarray(0, n));
        },
      };
      const server = new Recorder(loop);
      const pair = tlsPair(
        loop,
        cctx,
        sctx,
        app as unknown as Protocol,
        server,
      );
      yield* pair.serverReady;
      yield* pair.clientReady;
      const data = new Uint8Array(5000).map((_, i) => i & 0xff);
      server.transport!.write(data);
      while (got.length < 5000) yield* sleep(0);
      assert.deepEqual(new Uint8Array(got), data);
      assert.ok(sizes >= 5); // 1000-byte buffers
      app.transport!.close();
      yield* server.lost;
      yield* sleep(0);
      yield* sleep(0);
    }, { clock: "virtual" }),
);

tlsTest("SSLProtocol serves 50 connections at once", () =>
  run(async () => {
    const loop = getRunningLoop();
    using sctx = serverContext();
    using cctx = clientContext();
    const clients = Array.from({ length: 50 }, () => {
      const client = new Recorder(loop);
      const server = new Recorder(loop);
      server.echo = true;
      const pair = tlsPair(loop, cctx, sctx, client, server);
      return { client, server, pair };
    });
    await Promise.all(clients.map(async ({ client, pair }, i) => {
      await pair.clientReady;
      client.transport!.write(enc(`message ${i}`));
      await client.received(`message ${i}`.length);
      assert.equal(dec(client.data()), `message ${i}`);
      client.transport!.close();
      await client.lost;
    }));
    await Promise.all(clients.map(({ server }) => server.lost));
    for (let i = 0; i < 3; i++) await sleep(0);
  }, { clock: "virtual" }));

tlsTest(
  "SSLProtocol closes cleanly while the peer is still sending",
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
      for (let i = 0; i < 20; i++) {
        server.transport!.write(new Uint8Array(10000));
      }
      client.transport!.close(); // data is in flight towards us
      assert.equal(yield* client.lost, null);
      assert.equal(yield* server.lost, null);
      assert.equal(server.eof, true);
      yield* sleep(0);
      yield* sleep(0);
    }, { clock: "virtual" }),
);
