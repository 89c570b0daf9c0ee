import assert from "node:assert/strict";
import {
  createConnection,
  type ExceptionContext,
  getRunningLoop,
  OSError,
  run,
  Socket,
} from "../../mod.ts";
import { pipe } from "../../poll/mod.ts";
import { libc } from "../../poll/_libc.ts";
import { Collect, echoServer, shutdownServer, test } from "./_helpers.ts";
import { scaffoldLibc } from "../poll/_scaffold_libc.ts";

// Test scaffolding, not in the library's table: RLIMIT_NOFILE (7 on Linux).
const rl = Deno.build.os === "linux"
  ? {
    symbols: scaffoldLibc({
      getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
      setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
    }),
  }
  : null;
const RLIMIT_NOFILE = 7;

function lowestFreeFd(): number {
  const [r, w] = pipe();
  libc().close(r);
  libc().close(w);
  return Math.min(r, w);
}

test(
  "Server keeps serving through EMFILE on accept and accepts again once fds are free",
  async () => {
    const limits = new BigUint64Array(2);
    rl!.symbols.getrlimit(RLIMIT_NOFILE, limits);
    const saved = limits.slice();
    const restore = () => rl!.symbols.setrlimit(RLIMIT_NOFILE, saved);
    const errors: ExceptionContext[] = [];
    try {
      await run(function* () {
        const loop = getRunningLoop();
        loop.setExceptionHandler((_l, ctx) => {
          errors.push(ctx);
          // The process gets its fds back: the next accept can work.
          restore();
        });
        const [server, port] = yield* echoServer(loop);
        // The client's socket exists before the limit drops: only the
        // server's accept4 needs a new fd then, and it gets EMFILE.
        const sock = new Socket();
        limits[0] = BigInt(lowestFreeFd());
        rl!.symbols.setrlimit(RLIMIT_NOFILE, limits);
        const t0 = loop.time();
        yield* loop.sockConnect(sock, ["127.0.0.1", port]);
        const client2 = new Collect(loop);
        const [t2] = yield* createConnection(loop, () => client2, null, null, {
          sock,
        });
        t2.write(new Uint8Array([1, 2, 3]));
        t2.writeEof();
        yield* client2.lost;
        assert.deepEqual(client2.bytes(), new Uint8Array([1, 2, 3]));
        assert.equal(errors.length, 1);
        assert.equal(
          errors[0].message,
          "socket.accept() out of system resource",
        );
        assert.ok(errors[0].exception instanceof OSError);
        assert.equal((errors[0].exception as OSError).code, "EMFILE");
        // asyncio's back-off: accepting resumed after ACCEPT_RETRY_DELAY.
        assert.ok(loop.time() - t0 >= 0.9);
        assert.ok(server.isServing());
        yield* shutdownServer(server);
      });
    } finally {
      restore();
    }
  },
  { ignore: rl === null },
);
