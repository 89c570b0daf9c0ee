import assert from "node:assert/strict";
import {
  createConnection,
  type ExceptionContext,
  fromPromise,
  getRunningLoop,
  run,
  type Transport,
} from "../../mod.ts";
import {
  concat,
  echoServer,
  randomBytes,
  rng,
  shutdownServer,
  test,
} from "./_helpers.ts";

const CONNECTIONS = 200;
const PER_CONNECTION = 100 * 1024; // 200 x 100 KiB = 20 MB echoed

/**
 * Sends `data` in random chunks, one chunk per loop iteration, pausing and
 * resuming its reads at random; half-closes when done, or aborts halfway
 * when `reset`.
 */
class Client {
  t!: Transport;
  got: Uint8Array[] = [];
  sentUpTo = 0;
  // Settled by connectionLost (not Promise.withResolvers: Node 20 lacks it).
  #settle!: (exc: Error | null) => void;
  readonly result: Promise<void> = new Promise((resolve, reject) => {
    this.#settle = (exc) => exc === null ? resolve() : reject(exc);
  });
  constructor(
    readonly data: Uint8Array,
    readonly next: () => number,
    readonly reset: boolean,
  ) {}
  connectionMade(t: Transport): void {
    this.t = t;
    this.#step();
  }
  #step(): void {
    if (this.t.isClosing()) return;
    if (this.reset && this.sentUpTo > this.data.length / 2) {
      this.t.abort();
      return;
    }
    if (this.sentUpTo === this.data.length) {
      this.t.writeEof();
      return;
    }
    const n = Math.min(
      this.data.length - this.sentUpTo,
      1 + Math.floor(this.next() * 16384),
    );
    const chunk = this.data.subarray(this.sentUpTo, this.sentUpTo + n);
    if (this.next() < 0.3) {
      // writelines of two pieces: the other write path.
      const cut = Math.floor(n / 2);
      this.t.writelines([chunk.subarray(0, cut), chunk.subarray(cut)]);
    } else {
      this.t.write(chunk);
    }
    this.sentUpTo += n;
    if (this.next() < 0.2) {
      this.t.pauseReading();
      getRunningLoop().callLater(0.001, () => this.t.resumeReading());
    }
    getRunningLoop().callSoon(() => this.#step());
  }
  dataReceived(d: Uint8Array): void {
    this.got.push(d);
  }
  eofReceived(): void {}
  connectionLost(exc: Error | null): void {
    this.#settle(exc);
  }
}

test("SocketTransport echoes 20 MB over 200 connections with no byte lost, duplicated or reordered", async () => {
  const errors: ExceptionContext[] = [];
  await run(function* () {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_l, ctx) => errors.push(ctx));
    const [server, port] = yield* echoServer(loop);
    const next = rng(42);
    const clients: Client[] = [];
    const conns = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const c = new Client(
        randomBytes(PER_CONNECTION, next),
        rng(i + 1),
        i % 10 === 9,
      );
      clients.push(c);
      conns.push(createConnection(loop, () => c, "127.0.0.1", port));
    }
    for (const f of conns) yield* f;
    for (const c of clients) yield* fromPromise(c.result);
    for (const c of clients) {
      const got = concat(c.got);
      if (c.reset) {
        // Aborted halfway: what came back is a prefix of what was sent.
        assert.ok(got.length <= c.sentUpTo);
        assert.deepEqual(got, c.data.subarray(0, got.length));
      } else {
        assert.equal(got.length, c.data.length);
        assert.deepEqual(got, c.data);
      }
    }
    yield* shutdownServer(server);
  });
  assert.deepEqual(errors, []);
});
