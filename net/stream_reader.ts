/**
 * `StreamReader`: buffered reads from a connection, with asyncio's API —
 * `read`, `readline`, `readuntil` (one or several separators),
 * `readexactly`, `atEof`, line iteration — and its guarantees: the `limit`
 * bounds what a line may hold and, by pausing the transport, what the
 * buffer holds; a read cancelled while it waits takes nothing; two reads
 * waiting at once are an error.
 *
 * @module
 */

import type { LoopLike } from "../futures/_loop.ts";
import { _requireLoop } from "../futures/_loop.ts";
import { RuntimeError } from "../futures/errors.ts";
import { Future } from "../futures/future.ts";
import { type Awaitable, failed, ready } from "../futures/_wait.ts";
import type { Coro } from "../futures/task.ts";
import type { ReadTransport } from "./types.ts";
import { Chunks } from "./_chunks.ts";
import { ReadOp, type ReadState, WAIT } from "./_read_op.ts";
import { IncompleteReadError, LimitOverrunError } from "./stream_errors.ts";
import * as netKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _attempt: typeof netKeys._attempt = netKeys._attempt;
const _room: typeof netKeys._room = netKeys._room;
const _waitDone: typeof netKeys._waitDone = netKeys._waitDone;
const _waitForData: typeof netKeys._waitForData = netKeys._waitForData;

/** asyncio's default limit: 64 KiB. */
const DEFAULT_LIMIT = 2 ** 16;
const NEWLINE = new Uint8Array([10]);
const EMPTY = new Uint8Array(0);

// Kinds of read.
const READ = 0;
const READ_ALL = 1;
const READEXACTLY = 2;
const READUNTIL = 3;
const READLINE = 4;

/**
 * Options of {@linkcode StreamReader}.
 *
 * @example
 * ```ts
 * import { StreamReader, type StreamReaderOptions } from "./stream_reader.ts";
 * const options: StreamReaderOptions = { limit: 1024 };
 * console.log(new StreamReader(options).limit); // 1024
 * ```
 */
export interface StreamReaderOptions {
  /**
   * The most a line (`readline`, `readuntil`) may hold, and half of what
   * the buffer holds before the transport is paused; default 64 KiB.
   */
  limit?: number;
  /** The loop; default the running loop when the reader first waits. */
  loop?: LoopLike;
}

/**
 * Buffered reads from a transport, fed by its protocol (`feedData`,
 * `feedEof`, `setException`); made by `openConnection` and `startServer`.
 *
 * Every read returns something to `yield*` (generator coroutines) or
 * `await` (async functions). A read acts when called: bytes already
 * buffered are taken at once. Reads return views of the received bytes
 * where they can (no copy), so keep what you need before modifying them.
 *
 * Reading more than the buffer holds waits; the waiting read takes its
 * bytes only when it completes, so if it is cancelled (a `timeout()`, a
 * cancelled task) the bytes stay for the next read.
 *
 * @example Reading lines and exact counts
 * ```ts
 * import { run, StreamReader } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const text = (b: Uint8Array) => new TextDecoder().decode(b);
 *
 * await run(function* () {
 *   const reader = new StreamReader();
 *   reader.feedData(bytes("HELLO 5\nwor"));
 *   reader.feedData(bytes("ld"));
 *   reader.feedEof();
 *   assert.equal(text(yield* reader.readline()), "HELLO 5\n");
 *   assert.equal(text(yield* reader.readexactly(5)), "world");
 *   assert.ok(reader.atEof());
 * });
 * ```
 */
export class StreamReader {
  readonly #limit: number;
  #loop: LoopLike | null;
  readonly #buf = new Chunks();
  #eof = false;
  #exception: unknown = null;
  #waiter: Future<void> | null = null;
  #transport: ReadTransport | null = null;
  #paused = false;
  readonly #probe: ReadState = { kind: 0, arg: null, offset: 0, acc: null };

  /**
   * Create an empty reader.
   *
   * @param options The limit (default 64 KiB) and the loop.
   * @throws {RangeError} if `limit` is not a positive integer.
   */
  constructor(options?: StreamReaderOptions) {
    const limit = options?.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit <= 0) {
      throw new RangeError(
        `Cannot create a StreamReader: limit must be a positive integer, got ${limit}`,
      );
    }
    this.#limit = limit;
    this.#loop = options?.loop ?? null;
  }

  /** The limit given at creation. */
  get limit(): number {
    return this.#limit;
  }

  /** The error set with `setException()`, or null. */
  exception(): unknown {
    return this.#exception;
  }

  /**
   * Fail the waiting read and every later read with `exc` (the protocol
   * calls it when the connection is lost with an error).
   */
  setException(exc: unknown): void {
    this.#exception = exc;
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      if (!w.done()) w.setException(exc);
    }
  }

  /**
   * Attach the transport whose reading the reader pauses and resumes.
   * @throws {RuntimeError} if a transport is already attached.
   */
  setTransport(transport: ReadTransport): void {
    if (this.#transport !== null) {
      throw new RuntimeError(
        "Cannot set the transport: this reader already has one",
      );
    }
    this.#transport = transport;
  }

  /**
   * Append received bytes and wake the waiting read. The reader keeps
   * `data` without copying it: do not modify it afterwards. Past twice the
   * limit, the transport's reading is paused until reads bring the buffer
   * back under the limit.
   * @throws {RuntimeError} after `feedEof()`.
   */
  feedData(data: Uint8Array): void {
    if (this.#eof) {
      throw new RuntimeError("Cannot feed data: feedEof() was already called");
    }
    if (data.length === 0) return;
    this.#buf.push(data);
    this.#wakeup();
    const t = this.#transport;
    if (t !== null && !this.#paused && this.#buf.length > 2 * this.#limit) {
      t.pauseReading();
      this.#paused = true;
    }
  }

  /**
   * @internal How many bytes the next receive may bring (at most `most`):
   * up to just past twice the limit, so one receive cannot overshoot the
   * bound the pause keeps; any amount once a read waiting for more than the
   * bound has resumed the transport.
   * @ignore
   */
  [_room](most: number): number {
    const left = 2 * this.#limit - this.#buf.length;
    return left < 0 ? most : Math.min(most, left + 1);
  }

  /** Mark the end of the stream and wake the waiting read. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeup();
  }

  /** Whether the stream ended (`feedEof()`) and every byte was read. */
  atEof(): boolean {
    return this.#eof && this.#buf.length === 0;
  }

  /**
   * Read up to `n` bytes: what is buffered (at most `n`), else wait for the
   * next bytes. With `n` negative (the default), read until EOF. An empty
   * result means EOF.
   *
   * @throws {TypeError} if `n` is not an integer.
   */
  read(n: number = -1): Awaitable<Uint8Array> {
    checkCount("read", n);
    if (n === 0) return this.#fail() ?? ready(EMPTY);
    return this.#op(n < 0 ? READ_ALL : READ, n, "read");
  }

  /**
   * Read one line, up to and including `"\n"`. At EOF, the bytes left (no
   * newline) or an empty array.
   *
   * A line longer than the limit throws `LimitOverrunError` (asyncio throws
   * `ValueError` here; JavaScript has none, and this is what `readuntil`
   * throws); the line is dropped (up to its newline, if buffered, else the
   * whole buffer), so the next read starts after it.
   */
  readline(): Awaitable<Uint8Array> {
    return this.#op(READLINE, [NEWLINE], "readline");
  }

  /**
   * Read up to and including `separator`, or the first of several (as
   * Python 3.13): the shortest result that ends with any of them; of
   * separators ending at the same place, the shortest is the one matched.
   *
   * @throws {TypeError} if no separator is given or one is empty.
   * @throws {IncompleteReadError} (when awaited) at EOF before a separator:
   *   `partial` holds the bytes, which are consumed.
   * @throws {LimitOverrunError} (when awaited) when no separator is found
   *   within the limit, or the data before it is longer: the bytes stay in
   *   the buffer.
   */
  readuntil(
    separator: Uint8Array | readonly Uint8Array[] = NEWLINE,
  ): Awaitable<Uint8Array> {
    const seps = separator instanceof Uint8Array ? [separator] : [...separator];
    if (seps.length === 0) {
      throw new TypeError(
        "Cannot read until a separator: the list of separators is empty",
      );
    }
    for (const s of seps) {
      if (!(s instanceof Uint8Array) || s.length === 0) {
        throw new TypeError(
          "Cannot read until a separator: each separator must be a non-empty Uint8Array",
        );
      }
    }
    seps.sort((a, b) => a.length - b.length); // the shortest wins ties
    return this.#op(READUNTIL, seps, "readuntil");
  }

  /**
   * Read exactly `n` bytes.
   *
   * @throws {RangeError} if `n` is negative; {TypeError} if not an integer.
   * @throws {IncompleteReadError} (when awaited) when the stream ends first:
   *   `partial` holds the bytes, which are consumed.
   */
  readexactly(n: number): Awaitable<Uint8Array> {
    checkCount("readexactly", n);
    if (n < 0) {
      throw new RangeError(
        `Cannot read exactly ${n} bytes: the count must not be negative`,
      );
    }
    if (n === 0) return this.#fail() ?? ready(EMPTY);
    return this.#op(READEXACTLY, n, "readexactly");
  }

  /**
   * The lines until EOF: `for await (const line of reader)` (async
   * functions). Generator coroutines use {@linkcode StreamReader.eachLine}.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /**
   * The generator-form line loop: `yield* reader.eachLine(function* (line)
   * { ... })` calls `body` for every line until EOF (a generator function's
   * body runs with `yield*`), and stops early when it returns `false`.
   */
  *eachLine(
    body: (line: Uint8Array) => Coro<unknown> | unknown,
  ): Coro<void> {
    for (;;) {
      const line = yield* this.readline();
      if (line.length === 0) return;
      let r = body(line);
      if (isGenerator(r)) r = yield* r;
      if (r === false) return;
    }
  }

  /** For debugging: `<StreamReader limit=65536 buffered=3 eof paused>`. */
  toString(): string {
    return `<StreamReader limit=${this.#limit} buffered=${this.#buf.length}${
      this.#eof ? " eof" : ""
    }${this.#paused ? " paused" : ""}${this.#waiter ? " waiting" : ""}${
      this.#exception !== null ? " failed" : ""
    }>`;
  }

  // The first attempt runs on a reused state: most reads complete at once
  // and allocate no read object.
  #op(kind: number, arg: unknown, name: string): Awaitable<Uint8Array> {
    const probe = this.#probe;
    probe.kind = kind;
    probe.arg = arg;
    probe.offset = 0;
    probe.acc = null;
    try {
      const r = this[_attempt](probe);
      if (r !== WAIT) return ready(r as Uint8Array);
      return new ReadOp<Uint8Array>(
        this,
        probe,
        name,
        this[_waitForData](name),
      );
    } catch (err) {
      return failed(err);
    } finally {
      probe.arg = probe.acc = null;
    }
  }

  #fail(): Awaitable<Uint8Array> | null {
    return this.#exception !== null ? failed(this.#exception) : null;
  }

  /**
   * @internal Complete `op` now, or say it must wait.
   * @ignore
   */
  [_attempt](op: ReadState): unknown {
    if (this.#exception !== null) throw this.#exception;
    const buf = this.#buf;
    switch (op.kind) {
      case READ: {
        if (buf.length === 0) {
          if (!this.#eof) return WAIT;
          return EMPTY;
        }
        const n = op.arg as number;
        const data = buf.take(n < buf.length ? n : buf.length);
        this.#maybeResume();
        return data;
      }
      case READ_ALL: {
        // Move what arrived out of the buffer, so the transport keeps
        // reading: read(-1) holds the whole stream anyway.
        if (buf.length > 0) {
          (op.acc ??= []).push(buf.takeAll());
          this.#maybeResume();
        }
        if (!this.#eof) return WAIT;
        return concat(op.acc ?? []);
      }
      case READEXACTLY: {
        const n = op.arg as number;
        if (buf.length >= n) {
          const data = buf.take(n);
          this.#maybeResume();
          return data;
        }
        if (!this.#eof) return WAIT;
        throw new IncompleteReadError(buf.takeAll(), n);
      }
      case READUNTIL:
        return this.#until(op);
      default: {
        try {
          return this.#until(op);
        } catch (err) {
          if (err instanceof IncompleteReadError) return err.partial;
          if (err instanceof LimitOverrunError) {
            if (buf.startsWith(NEWLINE, err.consumed)) {
              buf.discard(err.consumed + 1);
            } else {
              buf.clear();
            }
            this.#maybeResume();
          }
          throw err;
        }
      }
    }
  }

  #until(op: ReadState): unknown {
    const buf = this.#buf;
    const seps = op.arg as Uint8Array[];
    const minLen = seps[0].length;
    const maxLen = seps[seps.length - 1].length;
    const len = buf.length;
    let start = -1;
    let end = -1;
    if (len - op.offset >= minLen) {
      for (const sep of seps) {
        const i = buf.indexOf(sep, op.offset);
        if (i !== -1 && (end === -1 || i + sep.length < end)) {
          start = i;
          end = i + sep.length;
        }
      }
      if (end === -1) {
        // A separator may start in the last maxLen - 1 bytes.
        op.offset = Math.max(0, len + 1 - maxLen);
        if (op.offset > this.#limit) {
          throw new LimitOverrunError(
            "Separator is not found, and chunk exceed the limit",
            op.offset,
          );
        }
      }
    }
    if (end === -1) {
      if (!this.#eof) return WAIT;
      throw new IncompleteReadError(buf.takeAll(), null);
    }
    if (start > this.#limit) {
      throw new LimitOverrunError(
        "Separator is found, but chunk is longer than limit",
        start,
      );
    }
    const data = buf.take(end);
    this.#maybeResume();
    return data;
  }

  /**
   * @internal A future resolved when data, EOF or an error arrives.
   * @ignore
   */
  [_waitForData](what: string): Future<void> {
    if (this.#waiter !== null) {
      throw new RuntimeError(
        `Cannot ${what}(): another read is already waiting for data on this StreamReader, read from one task at a time`,
      );
    }
    if (this.#paused) {
      // A read that needs more than the buffer may hold (readexactly of
      // more than twice the limit) must not wait on a paused transport.
      this.#paused = false;
      this.#transport!.resumeReading();
    }
    const fut = new Future<void>({
      loop: this.#loop ??= _requireLoop(`${what}() from a StreamReader`),
    });
    this.#waiter = fut;
    return fut;
  }

  /**
   * @internal A read stopped waiting on `fut`.
   * @ignore
   */
  [_waitDone](fut: Future<void>): void {
    if (this.#waiter === fut) this.#waiter = null;
  }

  #wakeup(): void {
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      if (!w.done()) w.setResult(undefined);
    }
  }

  #maybeResume(): void {
    if (this.#paused && this.#buf.length <= this.#limit) {
      this.#paused = false;
      this.#transport!.resumeReading();
    }
  }
}

function checkCount(what: string, n: number): void {
  if (!Number.isSafeInteger(n)) {
    throw new TypeError(
      `Cannot ${what}: the byte count must be an integer, got ${n}`,
    );
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function isGenerator(x: unknown): x is Coro<unknown> {
  return typeof x === "object" && x !== null &&
    typeof (x as Coro<unknown>).next === "function" &&
    typeof (x as Coro<unknown>).throw === "function";
}
