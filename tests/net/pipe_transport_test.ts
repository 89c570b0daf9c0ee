import assert from "node:assert/strict";
import {
  BrokenPipeError,
  connectReadPipe,
  connectWritePipe,
  type EventLoop,
  getRunningLoop,
  OSError,
  run,
  RuntimeError,
  sleep,
} from "../../mod.ts";
import { close, pipe, read, write } from "../../poll/mod.ts";
import type { BaseProtocol, WriteTransport } from "../../mod.ts";
import { Collect, test } from "./_helpers.ts";

const enc = new TextEncoder();

/** A write-side protocol that records flow control and its loss. */
class Writer implements BaseProtocol {
  events: string[] = [];
  lost;
  constructor(loop: EventLoop) {
    this.lost = loop.createFuture<Error | null>();
  }
  pauseWriting(): void {
    this.events.push("pause");
  }
  resumeWriting(): void {
    this.events.push("resume");
  }
  connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
}

test("connectReadPipe() delivers data, then EOF and connectionLost(null), and closes the fd (generator form)", async () => {
  const [events, text] = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    const [t, p] = yield* connectReadPipe(loop, () => new Collect(loop), r);
    assert.equal(t.getExtraInfo("pipe"), r);
    write(w, enc.encode("abc"));
    yield* sleep(0.01);
    write(w, enc.encode("def"));
    close(w);
    assert.equal(yield* p.lost, null);
    return [p.events, new TextDecoder().decode(p.bytes())];
  });
  assert.deepEqual(events, ["made", "eof", "lost"]);
  assert.equal(text, "abcdef");
});

test("connectReadPipe() pauseReading() holds data back until resumeReading() (async form)", async () => {
  await run(async () => {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    const [t, p] = await connectReadPipe(loop, () => new Collect(loop), r);
    t.pauseReading();
    assert.equal(t.isReading(), false);
    write(w, enc.encode("held"));
    await sleep(0.01);
    assert.equal(p.chunks.length, 0);
    t.resumeReading();
    await sleep(0.01);
    assert.equal(new TextDecoder().decode(p.bytes()), "held");
    t.close();
    assert.equal(await p.lost, null);
    close(w);
  });
});

test("connectWritePipe() writes 4 MiB through a reader, with pauseWriting/resumeWriting", async () => {
  const data = new Uint8Array(4 << 20).map((_, i) => i * 7);
  const [got, events] = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    const [, reader] = yield* connectReadPipe(loop, () => new Collect(loop), r);
    const [t, p] = yield* connectWritePipe(loop, () => new Writer(loop), w);
    for (let off = 0; off < data.length; off += 100_000) {
      t.write(data.subarray(off, off + 100_000));
    }
    assert.ok(t.getWriteBufferSize() > 0);
    t.close();
    assert.equal(yield* p.lost, null);
    yield* reader.lost;
    return [reader.bytes(), p.events];
  });
  assert.deepEqual(got, data);
  assert.equal(events[0], "pause");
  assert.ok(events.includes("resume"));
  assert.equal(events.at(-1), "lost");
});

test("connectWritePipe() after the reader closed: write fails with BrokenPipeError in connectionLost, not a throw", async () => {
  const exc = await run(async () => {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    const [t, p] = await connectWritePipe(loop, () => new Writer(loop), w);
    close(r);
    t.write(enc.encode("nobody reads this"));
    // Later writes are dropped (as asyncio), not thrown.
    t.write(enc.encode("again"));
    return await p.lost;
  });
  assert.ok(exc instanceof BrokenPipeError);
});

test("connectWritePipe() notices an idle pipe's reader going away (BrokenPipeError)", async () => {
  const exc = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    const [, p] = yield* connectWritePipe(loop, () => new Writer(loop), w);
    close(r);
    return yield* p.lost;
  });
  assert.ok(exc instanceof BrokenPipeError);
});

test("connectWritePipe() writeEof() gives the reader EOF after the backlog", async () => {
  const got = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    const [t, p] = yield* connectWritePipe(loop, () => new Writer(loop), w);
    t.writelines([enc.encode("a"), enc.encode("b")]);
    assert.equal(t.canWriteEof(), true);
    t.writeEof();
    assert.throws(() => t.write(enc.encode("c")), RuntimeError);
    yield* p.lost;
    const buf = new Uint8Array(8);
    const n = read(r, buf);
    const eof = read(r, buf);
    close(r);
    return [n, eof];
  });
  assert.deepEqual(got, [2, 0]);
});

test("pipe transports reject bad input and change nothing", async () => {
  await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [r, w] = pipe();
    close(r);
    // A closed fd: the Future fails with EBADF, nothing is registered.
    let err: unknown;
    try {
      yield* connectReadPipe(loop, () => new Collect(loop), r);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof OSError && err.code === "EBADF");
    const [t, p] = yield* connectWritePipe(loop, () => new Writer(loop), w);
    const wt = t as WriteTransport;
    assert.throws(() => wt.write("text" as unknown as Uint8Array), TypeError);
    assert.throws(
      () => wt.writelines([enc.encode("x"), 5 as unknown as Uint8Array]),
      TypeError,
    );
    assert.equal(wt.getWriteBufferSize(), 0);
    wt.abort();
    assert.throws(() => wt.write(enc.encode("x")), RuntimeError);
    assert.equal(yield* p.lost, null);
  });
});
