import assert from "node:assert/strict";
import {
  ConnectionRefusedError,
  ConnectionResetError,
  createTask,
  type ExceptionContext,
  gather,
  getRunningLoop,
  IncompleteReadError,
  LimitOverrunError,
  openConnection,
  openUnixConnection,
  run,
  type Server,
  sleep,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
} from "../../mod.ts";
import { FORMS, settleIn } from "../futures/_forms.ts";
import { test } from "../poll/_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function portOf(server: Server): number {
  return (server.sockets[0].getsockname() as [string, number])[1];
}

function* shutdown(server: Server): Generator<unknown, void, unknown> {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
}

// asyncio's documented echo handler, in both forms.
const handlers = {
  generator: function* (reader: StreamReader, writer: StreamWriter) {
    const data = yield* reader.read(100);
    writer.write(data);
    yield* writer.drain();
    writer.close();
    yield* writer.waitClosed();
  },
  async: async (reader: StreamReader, writer: StreamWriter) => {
    const data = await reader.read(100);
    writer.write(data);
    await writer.drain();
    writer.close();
    await writer.waitClosed();
  },
};

for (const form of FORMS) {
  test(`startServer() and openConnection() echo over loopback (${form})`, async () => {
    await run(function* () {
      const server = yield* startServer(handlers[form], "127.0.0.1", 0);
      const port = portOf(server);
      const answers: string[] = [];
      // asyncio's documented echo client, in both forms.
      function* genClient(msg: string) {
        const [reader, writer] = yield* openConnection("127.0.0.1", port);
        writer.write(enc.encode(msg));
        yield* writer.drain();
        answers.push(dec.decode(yield* reader.read(100)));
        assert.equal((yield* reader.read()).length, 0);
        writer.close();
        yield* writer.waitClosed();
      }
      async function asyncClient(msg: string) {
        const [reader, writer] = await openConnection("127.0.0.1", port);
        writer.write(enc.encode(msg));
        await writer.drain();
        answers.push(dec.decode(await reader.read(100)));
        assert.equal((await reader.read()).length, 0);
        writer.close();
        await writer.waitClosed();
      }
      const clients = ["one", "two", "three"].map((msg) =>
        form === "generator"
          ? createTask(genClient(msg))
          : createTask(() => asyncClient(msg))
      );
      yield* gather(...clients);
      assert.deepEqual(answers.sort(), ["one", "three", "two"]);
      yield* shutdown(server);
    });
  });
}

test("openConnection() to a closed port fails with ConnectionRefusedError", async () => {
  await run(function* () {
    const server = yield* startServer(function* () {}, "127.0.0.1", 0);
    const port = portOf(server);
    yield* shutdown(server);
    const got = yield* settleIn(
      "generator",
      () => openConnection("127.0.0.1", port),
    );
    assert.ok(!got.ok && got.error instanceof ConnectionRefusedError);
  });
});

test("openConnection() and startServer() refuse bad arguments at once", async () => {
  await run(function* () {
    assert.throws(
      () => openConnection("127.0.0.1", 1, { limit: 0 }),
      RangeError,
    );
    assert.throws(
      () => startServer(function* () {}, "127.0.0.1", 0, { limit: -1 }),
      RangeError,
    );
    assert.throws(
      () => startServer(42 as never, "127.0.0.1", 0),
      TypeError,
    );
    yield* sleep(0);
  });
});

test("read() results stay valid while later reads arrive", async () => {
  await run(function* () {
    const size = 30_000;
    const server = yield* startServer(
      function* (_reader, writer) {
        // One write at a time, each read by the client before the next.
        for (let i = 1; i <= 12; i++) {
          writer.write(new Uint8Array(size).fill(i));
          yield* writer.drain();
          yield* sleep(0.005);
        }
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    const kept: Uint8Array[] = [];
    for (;;) {
      const data = yield* reader.read(65536);
      if (data.length === 0) break;
      kept.push(data);
    }
    const all = new Uint8Array(kept.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of kept) {
      all.set(c, at);
      at += c.length;
    }
    assert.equal(all.length, 12 * size);
    for (let i = 1; i <= 12; i++) {
      const part = all.subarray((i - 1) * size, i * size);
      assert.ok(part.every((x) => x === i), `bytes of write ${i} changed`);
    }
    writer.close();
    server.close();
    yield* server.waitClosed();
  });
});

test("readexactly() over loopback keeps every byte; EOF gives IncompleteReadError", async () => {
  await run(function* () {
    const server = yield* startServer(
      function* (reader, writer) {
        // Send 1 MiB in odd pieces, then close.
        let sent = 0;
        while (sent < 1 << 20) {
          const n = Math.min(7919, (1 << 20) - sent);
          const piece = new Uint8Array(n);
          for (let i = 0; i < n; i++) piece[i] = (sent + i) % 251;
          writer.write(piece);
          yield* writer.drain();
          sent += n;
        }
        writer.close();
        yield* reader.read();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection(
      "127.0.0.1",
      portOf(server),
      {
        limit: 4096,
      },
    );
    let got = 0;
    let ok = true;
    for (;;) {
      let data: Uint8Array;
      try {
        data = yield* reader.readexactly(10000);
      } catch (err) {
        assert.ok(err instanceof IncompleteReadError);
        assert.equal(err.expected, 10000);
        data = err.partial;
      }
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== (got + i) % 251) ok = false;
      }
      got += data.length;
      if (data.length < 10000) break;
    }
    assert.ok(ok, "bytes in order");
    assert.equal(got, 1 << 20);
    writer.close();
    yield* writer.waitClosed();
    yield* shutdown(server);
  });
});

for (const form of FORMS) {
  test(`a peer reset mid-drain() raises ConnectionResetError (${form})`, async () => {
    await run(function* () {
      let draining: StreamWriter | null = null;
      let serverErr: unknown = null;
      const big = new Uint8Array(1 << 16);
      const server = yield* startServer(
        form === "generator"
          ? function* (_r, writer) {
            draining = writer;
            try {
              for (;;) {
                writer.write(big);
                yield* writer.drain();
              }
            } catch (err) {
              serverErr = err;
            }
          }
          : async (_r, writer) => {
            draining = writer;
            try {
              for (;;) {
                writer.write(big);
                await writer.drain();
              }
            } catch (err) {
              serverErr = err;
            }
          },
        "127.0.0.1",
        0,
      );
      const [, writer] = yield* openConnection("127.0.0.1", portOf(server));
      // The client reads nothing: the server's buffers fill up and its
      // drain() waits. Closing with unread data sends a reset.
      while (
        draining === null ||
        (draining as StreamWriter).transport.getWriteBufferSize() === 0
      ) yield* sleep(0.001);
      writer.transport.abort();
      while (serverErr === null) yield* sleep(0.001);
      assert.ok(serverErr instanceof ConnectionResetError, String(serverErr));
      const closed = yield* settleIn(
        form,
        () => (draining as unknown as StreamWriter).waitClosed(),
      );
      assert.ok(!closed.ok && closed.error instanceof ConnectionResetError);
      yield* writer.waitClosed();
      yield* shutdown(server);
    });
  });
}

test("an error in a client callback goes to the exception handler; the server keeps serving", async () => {
  await run(function* () {
    const seen: ExceptionContext[] = [];
    getRunningLoop().setExceptionHandler((_l, ctx) => seen.push(ctx));
    let calls = 0;
    const server = yield* startServer(
      async (reader, writer) => {
        const line = await reader.readline();
        if (++calls === 1) throw new Error("first client fails");
        writer.write(line);
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const [r1, w1] = yield* openConnection("127.0.0.1", port);
    w1.write(enc.encode("a\n"));
    assert.equal((yield* r1.read()).length, 0, "closed by the server");
    w1.close();
    const [r2, w2] = yield* openConnection("127.0.0.1", port);
    w2.write(enc.encode("b\n"));
    assert.equal(dec.decode(yield* r2.readline()), "b\n");
    w2.close();
    yield* w2.waitClosed();
    assert.equal(seen.length, 1);
    assert.match(seen[0].message, /client_connected_cb/);
    assert.equal((seen[0].exception as Error).message, "first client fails");
    yield* shutdown(server);
  });
});

test("startUnixServer() and openUnixConnection() echo lines", async () => {
  const path = `\0asyncio-streams-test-${Deno.pid}`;
  await run(async () => {
    const server = await startUnixServer(async (reader, writer) => {
      for await (const line of reader) {
        writer.write(line);
        await writer.drain();
      }
      writer.close();
    }, path);
    const [reader, writer] = await openUnixConnection(path, { limit: 1024 });
    writer.write(enc.encode("x\ny\n"));
    writer.writeEof();
    assert.equal(dec.decode(await reader.read()), "x\ny\n");
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});

test("an endless line from a peer pauses reading and raises LimitOverrunError", async () => {
  await run(function* () {
    const limit = 65536;
    let sent = 0;
    const server = yield* startServer(
      function* (_reader, writer) {
        const chunk = new Uint8Array(16384).fill(120);
        try {
          for (;;) {
            writer.write(chunk);
            sent += chunk.length;
            yield* writer.drain();
          }
        } catch {
          // the client went away
        }
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection(
      "127.0.0.1",
      portOf(server),
      { limit },
    );
    // Nobody reads: the client's transport pauses, the server's drain waits.
    let before = -1;
    while (sent !== before) {
      before = sent;
      yield* sleep(0.02);
    }
    assert.equal(writer.transport.isReading(), false);
    assert.ok(reader.toString().includes("paused"));
    const buffered = Number(/buffered=(\d+)/.exec(reader.toString())![1]);
    // Receives are sized to stop just past twice the limit.
    assert.ok(buffered <= 2 * limit + 1, `buffered ${buffered}`);
    const got = yield* settleIn("generator", () => reader.readline());
    assert.ok(!got.ok && got.error instanceof LimitOverrunError);
    writer.transport.abort();
    yield* writer.waitClosed();
    yield* shutdown(server);
  });
});
