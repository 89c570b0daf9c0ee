import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  IncompleteReadError,
  LimitOverrunError,
  run,
  RuntimeError,
  sleep,
  StreamReader,
  StreamReaderProtocol,
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import { failure, FORMS, settleIn, virtual } from "../futures/_forms.ts";
import { test } from "../poll/_helpers.ts";
import { concat, FakeTransport, mulberry32 } from "./_fake_transport.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);
const s = (u: Uint8Array) => dec.decode(u);

function filled(text: string, limit?: number): StreamReader {
  const r = new StreamReader({ limit });
  r.feedData(b(text));
  r.feedEof();
  return r;
}

test("StreamReader() refuses a limit that is not a positive integer", () => {
  assert.throws(() => new StreamReader({ limit: 0 }), RangeError);
  assert.throws(() => new StreamReader({ limit: -5 }), RangeError);
  assert.throws(() => new StreamReader({ limit: 1.5 }), RangeError);
  assert.equal(new StreamReader().limit, 65536);
});

test("read() returns what is buffered, at most n bytes", async () => {
  await run(function* () {
    const r = new StreamReader();
    r.feedData(b("abc"));
    r.feedData(b("defg"));
    assert.equal(s(yield* r.read(2)), "ab");
    assert.equal(s(yield* r.read(3)), "cde");
    assert.equal(s(yield* r.read(0)), "");
    assert.equal(s(yield* r.read(100)), "fg");
  });
});

for (const form of FORMS) {
  test(`read() waits for the next bytes (${form})`, async () => {
    await run(function* () {
      const r = new StreamReader();
      const t = settleIn(form, () => r.read(10));
      yield* sleep(0);
      assert.equal(t.done(), false);
      r.feedData(b("xy"));
      const got = yield* t;
      assert.ok(got.ok && s(got.value) === "xy");
    });
  });

  test(`read(-1) reads until EOF across waits (${form})`, async () => {
    await run(function* () {
      const r = new StreamReader({ limit: 4 });
      const t = settleIn(form, () => r.read());
      for (const part of ["hello", " ", "wor", "ld"]) {
        yield* sleep(0);
        r.feedData(b(part));
      }
      yield* sleep(0);
      r.feedEof();
      const got = yield* t;
      assert.ok(got.ok && s(got.value) === "hello world");
    });
  });
}

test("read() at EOF returns an empty array, atEof() once drained", async () => {
  await run(function* () {
    const r = filled("z");
    assert.equal(r.atEof(), false);
    assert.equal(s(yield* r.read(5)), "z");
    assert.ok(r.atEof());
    assert.equal((yield* r.read(5)).length, 0);
    assert.equal((yield* r.read()).length, 0);
  });
});

test("read() and readexactly() refuse a count that is not an integer", () => {
  const r = filled("abc");
  assert.throws(() => r.read(1.5), TypeError);
  assert.throws(() => r.readexactly(Number.NaN), TypeError);
  assert.throws(() => r.readexactly(-1), RangeError);
  assert.equal(r.toString().includes("buffered=3"), true);
});

test("readline() returns lines, then the rest at EOF, then empty", async () => {
  await run(function* () {
    const r = filled("one\ntwo\nthree");
    assert.equal(s(yield* r.readline()), "one\n");
    assert.equal(s(yield* r.readline()), "two\n");
    assert.equal(s(yield* r.readline()), "three");
    assert.equal((yield* r.readline()).length, 0);
  });
});

test("readuntil() finds a separator split across chunks", async () => {
  await run(function* () {
    const r = new StreamReader();
    r.feedData(b("abc\r"));
    r.feedData(b("\n"));
    r.feedData(b("de--"));
    r.feedData(b("-"));
    r.feedData(b("-f"));
    assert.equal(s(yield* r.readuntil(b("\r\n"))), "abc\r\n");
    assert.equal(s(yield* r.readuntil(b("----"))), "de----");
    assert.equal(s(yield* r.read(9)), "f");
  });
});

test("readuntil() with several separators returns the shortest result", async () => {
  await run(function* () {
    const r = filled("axyz|b\r\nc\n");
    // "y" ends at 3, "xyz" at 4: the shorter result wins.
    assert.equal(s(yield* r.readuntil([b("xyz"), b("y")])), "axy");
    assert.equal(s(yield* r.readuntil([b("\n"), b("|")])), "z|");
    // "\r\n" and "\n" end at the same place: the same bytes either way.
    assert.equal(s(yield* r.readuntil([b("\r\n"), b("\n")])), "b\r\n");
    assert.equal(s(yield* r.readuntil([b("\n"), b("\r\n")])), "c\n");
  });
});

test("readuntil() at a tie counts the shortest separator for the limit", async () => {
  await run(function* () {
    // "ab\r\n": "\r\n" starts at 2, "\n" at 3; with limit 2 only the
    // match of "\n" (the shortest separator) is over the limit.
    const r = filled("ab\r\n", 2);
    const err = yield* settle(r.readuntil([b("\r\n"), b("\n")]));
    assert.ok(err instanceof LimitOverrunError);
    assert.equal(err.consumed, 3);
  });
});

test("readuntil() refuses an empty separator or list", () => {
  const r = filled("abc");
  assert.throws(() => r.readuntil(new Uint8Array(0)), TypeError);
  assert.throws(() => r.readuntil([]), TypeError);
  assert.throws(() => r.readuntil([b("a"), new Uint8Array(0)]), TypeError);
});

test("readuntil() at EOF throws IncompleteReadError with the bytes, consumed", async () => {
  await run(function* () {
    const r = filled("abc\r");
    const err = yield* settle(r.readuntil(b("\r\n")));
    assert.ok(err instanceof IncompleteReadError);
    assert.equal(s(err.partial), "abc\r");
    assert.equal(err.expected, null);
    assert.ok(r.atEof());
  });
});

test("readuntil() over the limit throws LimitOverrunError and keeps the bytes", async () => {
  await run(function* () {
    const r = filled("0123456789\nrest", 5);
    const err = yield* settle(r.readuntil());
    assert.ok(err instanceof LimitOverrunError);
    assert.match(
      err.message,
      /Separator is found, but chunk is longer than limit/,
    );
    assert.equal(err.consumed, 10);
    assert.equal(s(yield* r.readexactly(11)), "0123456789\n");
    assert.equal(s(yield* r.read()), "rest");
  });
});

test("readline() over the limit throws LimitOverrunError and drops the line", async () => {
  await run(function* () {
    const r = filled("0123456789\nnext\n", 5);
    const err = yield* settle(r.readline());
    assert.ok(err instanceof LimitOverrunError);
    assert.equal(s(yield* r.readline()), "next\n");
  });
});

test("readexactly() waits for n bytes across chunks", async () => {
  await run(function* () {
    const r = new StreamReader();
    const t = settleIn("generator", () => r.readexactly(6));
    for (const part of ["ab", "cd", "efgh"]) {
      yield* sleep(0);
      r.feedData(b(part));
    }
    const got = yield* t;
    assert.ok(got.ok && s(got.value) === "abcdef");
    assert.equal(s(yield* r.read(10)), "gh");
  });
});

test("readexactly() at EOF throws IncompleteReadError with partial and expected", async () => {
  await run(function* () {
    const r = filled("abc");
    const err = yield* settle(r.readexactly(5));
    assert.ok(err instanceof IncompleteReadError);
    assert.equal(s(err.partial), "abc");
    assert.equal(err.expected, 5);
    assert.equal(err.message, "3 bytes read on a total of 5 expected bytes");
    assert.ok(r.atEof());
  });
});

for (const form of FORMS) {
  test(`reads keep every byte in order under random chunking (${form})`, async () => {
    const rand = mulberry32(form === "generator" ? 7 : 11);
    const alphabet = b("abc\r\n-");
    const data = new Uint8Array(50_000);
    for (let i = 0; i < data.length; i++) {
      data[i] = alphabet[Math.floor(rand() * alphabet.length)];
    }
    const got: Uint8Array[] = [];
    await run(function* () {
      const r = new StreamReader({ limit: 1 << 20 });
      const consumer = createTask(
        form === "generator"
          ? function* () {
            while (!r.atEof()) {
              try {
                got.push(yield* randomRead(r, rand));
              } catch (err) {
                if (!(err instanceof IncompleteReadError)) throw err;
                got.push(err.partial);
              }
            }
          }
          : async () => {
            while (!r.atEof()) {
              try {
                got.push(await randomRead(r, rand));
              } catch (err) {
                if (!(err instanceof IncompleteReadError)) throw err;
                got.push(err.partial);
              }
            }
          },
      );
      let at = 0;
      while (at < data.length) {
        const n = 1 + Math.floor(rand() * 700);
        r.feedData(data.slice(at, at + n));
        at += n;
        if (rand() < 0.7) yield* sleep(0);
      }
      r.feedEof();
      yield* consumer;
    });
    assert.deepEqual(concat(got), data);
  });
}

function randomRead(r: StreamReader, rand: () => number) {
  const n = 1 + Math.floor(rand() * 300);
  switch (Math.floor(rand() * 5)) {
    case 0:
      return r.read(n);
    case 1:
      return r.readexactly(n);
    case 2:
      return r.readline();
    case 3:
      return r.readuntil([b("\r\n"), b("-"), b("--c")]);
    default:
      return r.readuntil(b("ab"));
  }
}

for (const form of FORMS) {
  test(`a read cancelled while waiting loses nothing (${form})`, async () => {
    await run(function* () {
      const r = new StreamReader();
      const t = settleIn(form, () => r.readexactly(10));
      yield* sleep(0);
      r.feedData(b("12345"));
      yield* sleep(0);
      t.cancel();
      const got = yield* t;
      assert.ok(!got.ok && got.error instanceof CancelledError);
      r.feedData(b("678"));
      assert.equal(s(yield* r.readexactly(8)), "12345678");
    });
  });

  test(`a read timed out while waiting loses nothing (${form})`, async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(b("partial"));
      const got = yield* settleIn(form, () => waitFor(r.readuntil(b("\n")), 1));
      assert.ok(!got.ok && got.error instanceof TimeoutError);
      r.feedData(b(" line\n"));
      assert.equal(s(yield* r.readline()), "partial line\n");
    }, virtual);
  });

  test(`two reads waiting at once: the second throws RuntimeError (${form})`, async () => {
    await run(function* () {
      const r = new StreamReader();
      const first = settleIn(form, () => r.readline());
      yield* sleep(0);
      const second = settleIn(form, () => r.read(5));
      yield* sleep(0);
      const err = failure(yield* second);
      assert.ok(err instanceof RuntimeError);
      assert.match(err.message, /another read is already waiting/);
      r.feedData(b("line\n"));
      const got = yield* first;
      assert.ok(got.ok && s(got.value) === "line\n");
    });
  });
}

test("a read awaited twice throws RuntimeError", async () => {
  await run(function* () {
    const r = new StreamReader();
    const op = r.read(3);
    const t = createTask(function* () {
      return yield* op;
    });
    yield* sleep(0);
    assert.throws(() => [...op], RuntimeError);
    r.feedData(b("abc"));
    assert.equal(s(yield* t), "abc");
  });
});

test("setException() fails the waiting read and every later read", async () => {
  await run(function* () {
    const r = new StreamReader();
    r.feedData(b("kept"));
    const t = settleIn("generator", () => r.readexactly(10));
    yield* sleep(0);
    const boom = new Error("boom");
    r.setException(boom);
    const got = yield* t;
    assert.ok(!got.ok && got.error === boom);
    assert.equal(yield* settle(r.read(1)), boom);
    assert.equal(yield* settle(r.readline()), boom);
    assert.equal(r.exception(), boom);
  });
});

test("feedData() after feedEof() throws and changes nothing", async () => {
  await run(function* () {
    const r = filled("ab");
    assert.throws(() => r.feedData(b("cd")), RuntimeError);
    assert.equal(s(yield* r.read()), "ab");
  });
});

test("setTransport() twice throws RuntimeError", async () => {
  await run(function* () {
    const r = new StreamReader();
    const t = new FakeTransport();
    r.setTransport(t);
    assert.throws(() => r.setTransport(t), RuntimeError);
  });
});

for (const form of FORMS) {
  test(`an endless line against limit 64 KiB stays under ~128 KiB (${form})`, async () => {
    await run(function* () {
      const limit = 65536;
      const r = new StreamReader({ limit });
      const t = new FakeTransport().connect(new StreamReaderProtocol(r));
      const chunk = new Uint8Array(4096).fill(120);
      let fed = 0;
      // The peer sends as long as the transport reads.
      while (t.isReading() && fed < 10 * limit) {
        t.feed(chunk);
        fed += chunk.length;
      }
      assert.equal(t.pauses, 1);
      assert.ok(fed <= 2 * limit + chunk.length, `buffered ${fed}`);
      const got = yield* settleIn(form, () => r.readline());
      assert.ok(!got.ok && got.error instanceof LimitOverrunError);
      assert.ok(got.error.consumed > limit);
      // The line was dropped; reading resumes.
      assert.equal(t.resumes, 1);
      assert.ok(t.isReading());
    });
  });
}

test("readuntil() waiting on an endless line throws LimitOverrunError past the limit", async () => {
  await run(function* () {
    const limit = 1024;
    const r = new StreamReader({ limit });
    const t = new FakeTransport().connect(new StreamReaderProtocol(r));
    const waiting = settleIn("generator", () => r.readuntil(b("\n")));
    let fed = 0;
    while (!waiting.done()) {
      t.feed(new Uint8Array(100).fill(97));
      fed += 100;
      yield* sleep(0);
    }
    const got = yield* waiting;
    assert.ok(!got.ok && got.error instanceof LimitOverrunError);
    assert.ok(fed <= limit + 200);
    // The bytes stay for another kind of read.
    assert.equal((yield* r.readexactly(fed)).length, fed);
  });
});

test("readexactly() of more than twice the limit resumes a paused transport", async () => {
  await run(function* () {
    const r = new StreamReader({ limit: 100 });
    const t = new FakeTransport().connect(new StreamReaderProtocol(r));
    t.feed(new Uint8Array(250));
    assert.equal(t.isReading(), false);
    const waiting = settleIn("generator", () => r.readexactly(400));
    yield* sleep(0);
    assert.ok(t.isReading());
    t.feed(new Uint8Array(150));
    const got = yield* waiting;
    assert.ok(got.ok && got.value.length === 400);
  });
});

test("reads resume the transport once the buffer is back under the limit", async () => {
  await run(function* () {
    const r = new StreamReader({ limit: 100 });
    const t = new FakeTransport().connect(new StreamReaderProtocol(r));
    t.feed(new Uint8Array(201));
    assert.equal(t.isReading(), false);
    yield* r.read(50);
    assert.equal(t.isReading(), false);
    yield* r.read(51);
    assert.ok(t.isReading());
  });
});

test("for await iterates over the lines until EOF", async () => {
  const lines = await run(async () => {
    const r = new StreamReader();
    const out: string[] = [];
    r.feedData(b("a\nbb\n"));
    createTask(function* () {
      yield* sleep(0);
      r.feedData(b("ccc"));
      r.feedEof();
    });
    for await (const line of r) out.push(s(line));
    return out;
  });
  assert.deepEqual(lines, ["a\n", "bb\n", "ccc"]);
});

test("eachLine() runs a generator body per line and stops on false", async () => {
  await run(function* () {
    const r = filled("a\nb\nstop\nc\n");
    const seen: string[] = [];
    yield* r.eachLine(function* (line) {
      yield* sleep(0);
      seen.push(s(line));
      return s(line) !== "stop\n";
    });
    assert.deepEqual(seen, ["a\n", "b\n", "stop\n"]);
    assert.equal(s(yield* r.readline()), "c\n");
  });
});

// The error a read fails with, caught in the generator.
function* settle(
  op: Iterable<unknown, unknown, unknown>,
): Generator<unknown, unknown, unknown> {
  try {
    yield* op;
  } catch (err) {
    return err;
  }
  throw new Error("the read did not fail");
}
