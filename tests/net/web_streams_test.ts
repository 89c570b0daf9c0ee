import assert from "node:assert/strict";
import {
  createTask,
  run,
  sleep,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
  toReadableStream,
  toWritableStream,
} from "../../mod.ts";
import { test } from "../poll/_helpers.ts";
import { fakePair, FakeTransport, mulberry32 } from "./_fake_transport.ts";

/** Streams on one end of a fake pair. */
function on(transport: FakeTransport, limit?: number) {
  const reader = new StreamReader({ limit });
  const protocol = new StreamReaderProtocol(reader);
  transport.connect(protocol);
  return { reader, writer: new StreamWriter(transport, protocol, reader) };
}

async function collect(stream: ReadableStream<string>): Promise<string> {
  let out = "";
  for await (const s of stream) out += s;
  return out;
}

test("web streams pipe through CompressionStream and DecompressionStream both ways", async () => {
  const text = Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join("");
  const got = await run(async () => {
    const [ta, tb] = fakePair({ high: 8192 });
    const rand = mulberry32(3);
    ta.chunker = tb.chunker = () => 1 + Math.floor(rand() * 3000);
    const a = on(ta);
    const b = on(tb);
    // B: a compressing echo (ours -> CompressionStream -> ours).
    const echo = toReadableStream(b.reader)
      .pipeThrough(new CompressionStream("gzip"))
      .pipeTo(toWritableStream(b.writer));
    // A: sends text, half-closes, decompresses the answer.
    const send = ReadableStream.from([text])
      .pipeThrough(new TextEncoderStream())
      .pipeTo(toWritableStream(a.writer));
    const answer = collect(
      toReadableStream(a.reader)
        .pipeThrough(new DecompressionStream("gzip"))
        .pipeThrough(new TextDecoderStream()),
    );
    await Promise.all([echo, send]);
    const out = await answer;
    a.writer.close();
    b.writer.close();
    await a.writer.waitClosed();
    await b.writer.waitClosed();
    return out;
  });
  assert.equal(got.length, text.length);
  assert.equal(got, text);
});

test("toWritableStream() waits for drain and toReadableStream() for its reader", async () => {
  await run(async () => {
    const high = 4096;
    const limit = 4096;
    const [ta, tb] = fakePair({ high });
    const a = on(ta);
    const b = on(tb, limit);
    const chunk = 1024;
    const total = 1 << 20;
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close();
        controller.enqueue(new Uint8Array(chunk).fill(pulled / chunk & 255));
        pulled += chunk;
      },
    }, { highWaterMark: 0 });
    const piping = source.pipeTo(toWritableStream(a.writer));
    // Nobody reads B yet: B pauses its transport, A's buffer fills, the
    // pipe stops pulling.
    for (let i = 0; i < 200; i++) await sleep(0);
    assert.ok(tb.pauses >= 1, "B paused reading");
    assert.ok(tb.received <= 2 * limit + chunk, `B holds ${tb.received}`);
    assert.ok(ta.maxBuffered <= high + chunk, `A buffered ${ta.maxBuffered}`);
    assert.ok(pulled < 32 * chunk, `pulled ${pulled} bytes ahead`);
    // Now B reads, slowly, through a ReadableStream.
    let received = 0;
    let ok = true;
    for await (const data of toReadableStream(b.reader, { chunkSize: 1000 })) {
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== ((received + i) / chunk & 255)) ok = false;
      }
      received += data.length;
      if (received % 7 === 0) await sleep(0);
      assert.ok(tb.received - received <= 2 * limit + chunk);
    }
    await piping;
    assert.ok(ok, "bytes in order");
    assert.equal(received, total);
    assert.ok(ta.maxBuffered <= high + chunk, `A buffered ${ta.maxBuffered}`);
    a.writer.close();
    b.writer.close();
  });
});

test("toReadableStream() errors with the reader's error", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const stream = toReadableStream(reader);
    const boom = new Error("reset");
    reader.feedData(new Uint8Array([1, 2]));
    const r = stream.getReader();
    assert.deepEqual(await r.read(), {
      done: false,
      value: new Uint8Array([1, 2]),
    });
    reader.setException(boom);
    await assert.rejects(r.read(), (err) => err === boom);
  });
});

test("toReadableStream() refuses a chunk size that is not a positive integer", () => {
  const reader = new StreamReader();
  assert.throws(() => toReadableStream(reader, { chunkSize: 0 }), RangeError);
  assert.throws(() => toReadableStream(reader, { chunkSize: 2.5 }), RangeError);
});

test("toWritableStream() refuses chunks that are not Uint8Array, writing nothing", async () => {
  await run(async () => {
    const t = new FakeTransport();
    const reader = new StreamReader();
    const protocol = new StreamReaderProtocol(reader);
    t.connect(protocol);
    const w = toWritableStream(new StreamWriter(t, protocol, reader))
      .getWriter();
    await assert.rejects(w.write("text" as unknown as Uint8Array), TypeError);
    assert.equal(t.written.length, 0);
    t.lose(null);
    await sleep(0);
  });
});

test("toWritableStream() with close: 'close' closes the connection", async () => {
  await run(async () => {
    const t = new FakeTransport();
    const reader = new StreamReader();
    const protocol = new StreamReaderProtocol(reader);
    t.connect(protocol);
    const w = toWritableStream(new StreamWriter(t, protocol, reader), {
      close: "close",
    });
    // The peer takes the byte once the close begins.
    createTask(function* () {
      while (!t.isClosing()) yield* sleep(0);
      t.flush();
    });
    await ReadableStream.from([new Uint8Array([7])]).pipeTo(w);
    assert.ok(t.isClosing());
    assert.equal(t.lostWith, null);
    assert.equal(t.eofWritten, false);
  });
});

test("aborting a toWritableStream() aborts the transport", async () => {
  await run(async () => {
    const t = new FakeTransport();
    const reader = new StreamReader();
    const protocol = new StreamReaderProtocol(reader);
    t.connect(protocol);
    const w = toWritableStream(new StreamWriter(t, protocol, reader));
    await w.abort(new Error("stop"));
    await sleep(0);
    assert.equal(t.lostWith, null);
    assert.ok(t.isClosing());
  });
});
