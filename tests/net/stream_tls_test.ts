import assert from "node:assert/strict";
import { openConnection, run, sleep, startServer } from "../../mod.ts";
import {
  clientContext,
  dec,
  enc,
  serverContext,
  tlsTest,
} from "../tls/_helpers.ts";

// Made once, outside the leak check: contexts live as long as their users.
const SERVER = serverContext();
const CLIENT = clientContext();

tlsTest(
  "StreamWriter.startTls() upgrades both ends after a STARTTLS line",
  async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (reader, writer) {
          assert.equal(dec(yield* reader.readline()), "STARTTLS\n");
          writer.write(enc("OK\n"));
          yield* writer.startTls(SERVER);
          const line = yield* reader.readline();
          writer.write(enc(`secret: ${dec(line)}`));
          yield* writer.drain();
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const [reader, writer] = yield* openConnection("127.0.0.1", port);
      writer.write(enc("STARTTLS\n"));
      assert.equal(dec(yield* reader.readline()), "OK\n");
      const plain = writer.transport;
      yield* writer.startTls(CLIENT, { serverHostname: "localhost" });
      assert.notEqual(writer.transport, plain);
      assert.ok(writer.getExtraInfo("sslcontext") != null);
      writer.write(enc("hi\n"));
      assert.equal(dec(yield* reader.readline()), "secret: hi\n");
      assert.equal((yield* reader.read()).length, 0);
      writer.close();
      yield* writer.waitClosed();
      server.close();
      server.closeClients();
      yield* server.waitClosed();
    });
  },
  { census: true },
);

tlsTest(
  "StreamWriter.startTls() fails with the handshake's error and closes",
  async () => {
    await run(async () => {
      let serverError: unknown = null;
      const server = await startServer(
        async (reader, writer) => {
          await reader.readline();
          writer.write(enc("OK\n"));
          try {
            await writer.startTls(SERVER);
          } catch (err) {
            serverError = err; // the client refused the certificate
          }
        },
        "127.0.0.1",
        0,
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const [reader, writer] = await openConnection("127.0.0.1", port);
      writer.write(enc("STARTTLS\n"));
      await reader.readline();
      await assert.rejects(
        async () =>
          await writer.startTls(CLIENT, {
            serverHostname: "wrong.example",
          }),
        Error,
      );
      assert.ok(writer.isClosing());
      while (serverError === null) await sleep(0.001);
      assert.ok(serverError instanceof Error);
      server.close();
      server.closeClients();
      await server.waitClosed();
    });
  },
  { census: true },
);

tlsTest(
  "openConnection() and startServer() pass ssl through to TLS",
  async () => {
    await run(async () => {
      const server = await startServer(
        async (reader, writer) => {
          writer.write(await reader.readline());
          await writer.drain();
          writer.close();
        },
        "127.0.0.1",
        0,
        { ssl: SERVER },
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const [reader, writer] = await openConnection("127.0.0.1", port, {
        ssl: CLIENT,
        serverHostname: "localhost",
      });
      assert.ok(writer.getExtraInfo("sslcontext") != null);
      writer.write(enc("over tls\n"));
      assert.equal(dec(await reader.readline()), "over tls\n");
      writer.close();
      await writer.waitClosed();
      server.close();
      server.closeClients();
      await server.waitClosed();
    });
  },
  { census: true },
);
