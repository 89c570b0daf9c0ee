import assert from "node:assert/strict";
import {
  ConnectionResetError,
  createTask,
  type ExceptionContext,
  getRunningLoop,
  run,
  sleep,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
} from "../../mod.ts";
import { errnoOf } from "../../poll/errors.ts";
import { FORMS, settleIn } from "../futures/_forms.ts";
import { test } from "../poll/_helpers.ts";
import { type FakeOptions, FakeTransport } from "./_fake_transport.ts";

const b = (s: string) => new TextEncoder().encode(s);
const s = (u: Uint8Array) => new TextDecoder().decode(u);

/** A reader/writer pair on a fake transport, as openConnection makes. */
function streams(options?: FakeOptions & { limit?: number }) {
  const reader = new StreamReader({ limit: options?.limit });
  const protocol = new StreamReaderProtocol(reader);
  const transport = new FakeTransport(options).connect(protocol);
  const writer = new StreamWriter(transport, protocol, reader);
  return { reader, protocol, transport, writer };
}

const reset = () =>
  new ConnectionResetError(errnoOf("ECONNRESET"), "Connection reset by peer");

test("write() and writelines() reach the transport in order", async () => {
  await run(function* () {
    const { transport, writer } = streams();
    writer.write(b("a"));
    writer.writelines([b("b"), b("cd")]);
    writer.write(b("e"));
    assert.equal(s(transport.writtenBytes()), "abcde");
    assert.equal(writer.transport, transport);
  });
});

for (const form of FORMS) {
  test(`drain() returns at once under the high-water mark (${form})`, async () => {
    await run(function* () {
      const { writer } = streams({ high: 100 });
      writer.write(new Uint8Array(100));
      const t = settleIn(form, () => writer.drain());
      yield* sleep(0);
      yield* sleep(0);
      assert.ok(t.done() && t.result().ok);
    });
  });

  test(`drain() wakes every waiter once the buffer drains (${form})`, async () => {
    await run(function* () {
      const { transport, writer } = streams({ high: 100, low: 10 });
      writer.write(new Uint8Array(101));
      const waiters = Array.from(
        { length: 5 },
        () => settleIn(form, () => writer.drain()),
      );
      yield* sleep(0);
      yield* sleep(0);
      assert.ok(waiters.every((w) => !w.done()));
      transport.flush(50);
      yield* sleep(0);
      assert.ok(waiters.every((w) => !w.done()), "still over the low mark");
      transport.flush();
      for (const w of waiters) assert.ok((yield* w).ok);
    });
  });

  test(`a writer that drains stays under the high-water mark (${form})`, async () => {
    await run(function* () {
      const high = 16384;
      const { transport, writer } = streams({ high });
      let most = 0;
      // The peer takes 512 bytes per loop iteration.
      const peer = createTask(function* () {
        while (!transport.isClosing() || transport.buffered > 0) {
          transport.flush(512);
          yield* sleep(0);
        }
      });
      const chunk = new Uint8Array(1024);
      const body = form === "generator"
        ? createTask(function* () {
          for (let i = 0; i < 500; i++) {
            writer.write(chunk);
            most = Math.max(most, transport.buffered);
            yield* writer.drain();
          }
        })
        : createTask(async () => {
          for (let i = 0; i < 500; i++) {
            writer.write(chunk);
            most = Math.max(most, transport.buffered);
            await writer.drain();
          }
        });
      yield* body;
      writer.close();
      yield* peer;
      assert.equal(transport.writtenBytes().length, 500 * 1024);
      assert.ok(most <= high + chunk.length, `buffered up to ${most}`);
      assert.ok(most > high, "the writer did have to wait");
    });
  });

  test(`drain() throws the connection's error once it is lost (${form})`, async () => {
    await run(function* () {
      const { transport, writer } = streams();
      const err = reset();
      transport.lose(err);
      yield* sleep(0);
      const got = yield* settleIn(form, () => writer.drain());
      assert.ok(!got.ok && got.error === err);
    });
  });

  test(`drain() after a clean loss throws ConnectionResetError (${form})`, async () => {
    await run(function* () {
      const { transport, writer } = streams();
      transport.lose(null);
      yield* sleep(0);
      const got = yield* settleIn(form, () => writer.drain());
      assert.ok(!got.ok && got.error instanceof ConnectionResetError);
      assert.match((got.error as Error).message, /Connection lost/);
    });
  });

  test(`drain() on a closing transport lets the loss arrive first (${form})`, async () => {
    await run(function* () {
      const { writer } = streams();
      writer.close();
      const got = yield* settleIn(form, () => writer.drain());
      assert.ok(!got.ok && got.error instanceof ConnectionResetError);
    });
  });

  test(`a reset while drain() waits fails every waiter with it (${form})`, async () => {
    await run(function* () {
      const { transport, writer } = streams({ high: 10 });
      writer.write(new Uint8Array(11));
      const waiters = [0, 1, 2].map(() => settleIn(form, () => writer.drain()));
      yield* sleep(0);
      const err = reset();
      transport.lose(err);
      for (const w of waiters) {
        const got = yield* w;
        assert.ok(!got.ok && got.error === err);
      }
      const closed = yield* settleIn(form, () => writer.waitClosed());
      assert.ok(!closed.ok && closed.error === err);
    });
  });
}

test("waitClosed() resolves once a close completes", async () => {
  await run(function* () {
    const { transport, writer } = streams();
    writer.write(b("bye"));
    writer.close();
    assert.ok(writer.isClosing());
    const t = settleIn("async", () => writer.waitClosed());
    yield* sleep(0);
    assert.equal(t.done(), false, "the buffer is not sent yet");
    transport.flush();
    assert.ok((yield* t).ok);
    assert.equal(transport.lostWith, null);
  });
});

test("writeEof(), canWriteEof() and getExtraInfo() go to the transport", async () => {
  await run(function* () {
    const peer: [string, number] = ["127.0.0.1", 9];
    const { transport, writer } = streams({ extra: { peername: peer } });
    assert.equal(writer.canWriteEof(), true);
    writer.writeEof();
    assert.ok(transport.eofWritten);
    assert.equal(writer.getExtraInfo("peername"), peer);
    assert.equal(writer.getExtraInfo("sockname", "none"), "none");
    assert.equal(streams({ canWriteEof: false }).writer.canWriteEof(), false);
  });
});

test("[Symbol.asyncDispose]() closes and does not throw the connection's error", async () => {
  await run(async () => {
    const { transport, writer } = streams();
    transport.lose(reset());
    {
      await using _w = writer;
    }
    assert.ok(writer.isClosing());
    const fresh = streams();
    {
      await using _w = fresh.writer;
    }
    assert.equal(fresh.transport.lostWith, null);
  });
});

test("StreamReaderProtocol feeds bytes, EOF and errors to the reader", async () => {
  await run(function* () {
    const { reader, transport } = streams();
    transport.feed(b("x\n"));
    transport.feedEof();
    assert.equal(transport.isClosing(), false, "half-close keeps it open");
    assert.equal(s(yield* reader.readline()), "x\n");
    assert.ok(reader.atEof());
    const other = streams();
    const err = reset();
    other.transport.lose(err);
    yield* sleep(0);
    assert.equal(other.reader.exception(), err);
  });
});

test("StreamReaderProtocol over TLS closes on EOF", async () => {
  await run(function* () {
    const { transport } = streams({ extra: { sslcontext: {} } });
    transport.feedEof();
    assert.ok(transport.isClosing());
    yield* sleep(0);
  });
});

for (const form of FORMS) {
  test(`the client callback runs in its own task (${form})`, async () => {
    await run(function* () {
      const reader = new StreamReader();
      const cb = form === "generator"
        ? function* (r: StreamReader, w: StreamWriter) {
          w.write(yield* r.readline());
          w.close();
        }
        : async (r: StreamReader, w: StreamWriter) => {
          w.write(await r.readline());
          w.close();
        };
      const protocol = new StreamReaderProtocol(reader, cb);
      const transport = new FakeTransport().connect(protocol);
      assert.ok(protocol.task !== null);
      transport.feed(b("echo\n"));
      yield* protocol.task!;
      assert.equal(s(transport.writtenBytes()), "echo\n");
      assert.ok(transport.isClosing());
    });
  });

  test(`an error in the client callback goes to the exception handler (${form})`, async () => {
    await run(function* () {
      const seen: ExceptionContext[] = [];
      getRunningLoop().setExceptionHandler((_l, ctx) => seen.push(ctx));
      const boom = new Error("client failed");
      const cb = form === "generator"
        ? function* () {
          yield* sleep(0);
          throw boom;
        }
        : async () => {
          await sleep(0);
          throw boom;
        };
      const protocol = new StreamReaderProtocol(new StreamReader(), cb);
      const transport = new FakeTransport().connect(protocol);
      const task = protocol.task!;
      while (!task.done()) yield* sleep(0);
      yield* sleep(0); // its done callback
      assert.equal(seen.length, 1);
      assert.equal(seen[0].exception, boom);
      assert.equal(seen[0].transport, transport);
      assert.match(seen[0].message, /client_connected_cb/);
      assert.ok(transport.isClosing());
    });
  });
}

test("a cancelled client task closes its transport", async () => {
  await run(function* () {
    const protocol = new StreamReaderProtocol(
      new StreamReader(),
      function* (r) {
        yield* r.read(1);
      },
    );
    const transport = new FakeTransport().connect(protocol);
    yield* sleep(0);
    protocol.task!.cancel();
    yield* sleep(0);
    yield* sleep(0);
    assert.ok(transport.isClosing());
  });
});
