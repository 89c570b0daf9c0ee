import assert from "node:assert/strict";
import { sleep } from "../../futures/sleep.ts";
import { getRunningLoop } from "../../loop/policy.ts";
import { run } from "../../loop/run.ts";
import { planSsl, wrapForSsl } from "../../tls/_net_ssl.ts";
import type { Future } from "../../futures/future.ts";
import { CERT_REQUIRED, type SSLContext } from "../../tls/context.ts";
import {
  clientContext,
  dec,
  enc,
  Recorder,
  serverContext,
  tlsTest,
} from "./_helpers.ts";
import { memoryPair } from "./_memory_transport.ts";

const client = { serverSide: false, host: "localhost" };
const server = { serverSide: true };

tlsTest(
  "planSsl() is null without ssl and refuses TLS options without it",
  () => {
    assert.equal(planSsl({}, "connect", client), null);
    assert.equal(planSsl({ ssl: false }, "connect", client), null);
    for (
      const opts of [
        { serverHostname: "x" },
        { sslHandshakeTimeout: 1 },
        { sslShutdownTimeout: 1 },
      ]
    ) {
      assert.throws(
        () => planSsl(opts, "connect", client),
        /only meaningful with ssl/,
      );
    }
  },
);

tlsTest(
  "planSsl() refuses a bad ssl value, a server without a context and bad timeouts",
  () => {
    assert.throws(() => planSsl({ ssl: "yes" }, "connect", client), TypeError);
    assert.throws(
      () => planSsl({ ssl: true }, "serve", server),
      /needs an SSLContext/,
    );
    using sctx = serverContext();
    assert.throws(
      () => planSsl({ ssl: sctx, serverHostname: "a" }, "serve", server),
      /serverHostname is for clients/,
    );
    using cctx = clientContext();
    assert.throws(
      () =>
        planSsl({ ssl: cctx }, "connect", { serverSide: false, host: null }),
      /set serverHostname/,
    );
    assert.throws(
      () => planSsl({ ssl: cctx, sslHandshakeTimeout: -1 }, "connect", client),
      RangeError,
    );
  },
);

tlsTest(
  "planSsl() with ssl: true makes a default client context per connection",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      const plan = planSsl({ ssl: true }, "connect", client)!;
      assert.equal(plan.context, null); // made per connection
      assert.equal(plan.serverHostname, "localhost");
      const w = wrapForSsl(loop, new Recorder(loop), plan);
      const ctx = w.transport.getExtraInfo("sslcontext") as SSLContext;
      assert.equal(ctx.verifyMode, CERT_REQUIRED);
      assert.equal(ctx.checkHostname, true);
      w.protocol.connectionLost(null); // never connected: frees its session
      yield* sleep(0);
      yield* assertRejects(w.handshake);
    }),
);

function* assertRejects(f: Future<unknown>) {
  try {
    yield* f;
  } catch {
    return;
  }
  throw new Error("expected a rejection");
}

tlsTest(
  "wrapForSsl() gives the transport the SSL protocol and the user the TLS transport",
  () =>
    run(function* () {
      const loop = getRunningLoop();
      using cctx = clientContext();
      using sctx = serverContext();
      const capp = new Recorder(loop);
      const sapp = new Recorder(loop);
      sapp.echo = true;
      const c = wrapForSsl(
        loop,
        capp,
        planSsl({ ssl: cctx }, "connect", client)!,
      );
      const s = wrapForSsl(
        loop,
        sapp,
        planSsl({ ssl: sctx }, "serve", server)!,
      );
      memoryPair(loop, c.protocol, s.protocol);
      yield* c.handshake;
      assert.equal(yield* capp.made, c.transport);
      c.transport.write(enc("wrapped"));
      yield* capp.received(7);
      assert.equal(dec(capp.data()), "wrapped");
      c.transport.close();
      yield* capp.lost;
      yield* sapp.lost;
      yield* sleep(0);
      yield* sleep(0);
    }, { clock: "virtual" }),
);
