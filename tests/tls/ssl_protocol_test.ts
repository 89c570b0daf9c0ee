import assert from "node:assert/strict";
import { sleep } from "../../futures/sleep.ts";
import { getRunningLoop } from "../../loop/policy.ts";
import { run } from "../../loop/run.ts";
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
