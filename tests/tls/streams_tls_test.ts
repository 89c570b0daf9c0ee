/**
 * TLS with streams: openConnection/startServer with `ssl` over loopback
 * (StreamWriter.startTls() is tested in tests/net/stream_tls_test.ts).
 */

import assert from "node:assert/strict";
import { sleep } from "../../futures/sleep.ts";
import { run } from "../../loop/run.ts";
import type { Server } from "../../net/server.ts";
import type { StreamReader } from "../../net/stream_reader.ts";
import type { StreamWriter } from "../../net/stream_writer.ts";
import { echoLines } from "./_echo_lines.ts";
import { openConnection, startServer } from "../../net/streams.ts";
import { clientContext, dec, enc, serverContext, tlsTest } from "./_helpers.ts";

const census = { census: true };
const portOf = (s: Server) =>
  (s.sockets[0].getsockname() as [string, number])[1];

tlsTest(
  "openConnection() and startServer() with ssl echo lines (generator form)",
  () =>
    run(function* () {
      using sctx = serverContext();
      using cctx = clientContext();
      const server = yield* startServer(echoLines, "127.0.0.1", 0, {
        ssl: sctx,
      });
      const [reader, writer] = yield* openConnection(
        "127.0.0.1",
        portOf(server),
        {
          ssl: cctx,
        },
      );
      writer.write(enc("hello\nworld\n"));
      assert.equal(dec(yield* reader.readline()), "hello\n");
      assert.equal(dec(yield* reader.readline()), "world\n");
      assert.equal(writer.getExtraInfo("version"), "TLSv1.3");
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
      for (let i = 0; i < 3; i++) yield* sleep(0);
    }),
  census,
);

tlsTest(
  "openConnection() and startServer() with ssl echo lines (async form)",
  () =>
    run(async () => {
      using sctx = serverContext();
      using cctx = clientContext();
      const server = await startServer(
        async (reader: StreamReader, writer: StreamWriter) => {
          const data = await reader.readexactly(100000);
          writer.write(data);
          await writer.drain();
          writer.close();
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const [reader, writer] = await openConnection(
        "127.0.0.1",
        portOf(server),
        {
          ssl: cctx,
          serverHostname: "localhost",
        },
      );
      const payload = new Uint8Array(100000).map((_, i) => i % 251);
      writer.write(payload);
      await writer.drain();
      assert.deepEqual(await reader.readexactly(100000), payload);
      assert.equal((await reader.read()).length, 0); // the server's close_notify
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
      for (let i = 0; i < 3; i++) await sleep(0);
    }),
  census,
);
