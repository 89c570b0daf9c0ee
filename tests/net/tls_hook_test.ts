import assert from "node:assert/strict";
import {
  createConnection,
  createServer,
  getRunningLoop,
  type Protocol,
  run,
  type StreamProtocol,
  type Transport,
} from "../../mod.ts";
import { _setTlsLayer, type TlsOptions } from "../../net/_tls_hook.ts";
import type { NetLoop } from "../../net/_loop.ts";
import { Collect, Echo, shutdownServer, test } from "./_helpers.ts";

/**
 * A stand-in TLS layer: passes bytes through, ROT-1 on the wire, and hands
 * the application the raw transport wrapped so writes are encoded too.
 */
function fakeLayer(seen: TlsOptions[]) {
  return (loop: NetLoop, app: StreamProtocol, options: TlsOptions) => {
    seen.push(options);
    const ready = loop.createFuture<Transport>();
    const shift = (d: Uint8Array, by: number) => d.map((x) => (x + by) & 0xff);
    const protocol: Protocol = {
      connectionMade(raw: Transport) {
        const appT = {
          write: (d: Uint8Array) => raw.write(shift(d, 1)),
          writeEof: () => raw.writeEof(),
          close: () => raw.close(),
          isClosing: () => raw.isClosing(),
          getExtraInfo: (n: string, d?: unknown) => raw.getExtraInfo(n, d),
        } as unknown as Transport;
        (app as Protocol).connectionMade?.(appT);
        ready.setResult(appT);
      },
      dataReceived: (d) => (app as Protocol).dataReceived(shift(d, -1)),
      eofReceived: () => (app as Protocol).eofReceived?.(),
      connectionLost: (e) => app.connectionLost?.(e),
    };
    return { protocol, ready };
  };
}

test("the ssl option routes connections and servers through the TLS layer", async () => {
  const seen: TlsOptions[] = [];
  _setTlsLayer(fakeLayer(seen));
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* createServer(
        loop,
        () => new Echo(),
        "127.0.0.1",
        0,
        { ssl: true },
      );
      const [, port] = server.sockets[0].getsockname() as [string, number];
      const [t, p] = yield* createConnection(
        loop,
        () => new Collect(loop),
        "127.0.0.1",
        port,
        {
          ssl: true,
          sslHandshakeTimeout: 5,
        },
      );
      t.write(new TextEncoder().encode("secret"));
      t.writeEof();
      yield* p.lost;
      assert.equal(new TextDecoder().decode(p.bytes()), "secret");
      yield* shutdownServer(server);
    });
    const client = seen.find((o) => !o.serverSide)!;
    assert.equal(client.serverHostname, "127.0.0.1"); // defaults to host
    assert.equal(client.sslHandshakeTimeout, 5);
    assert.ok(seen.some((o) => o.serverSide));
  } finally {
    _setTlsLayer(null);
  }
});

test("the ssl option without a TLS layer fails clearly and opens nothing", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    assert.throws(
      () =>
        createConnection(loop, () => new Collect(loop), "127.0.0.1", 1, {
          ssl: true,
        }),
      /no TLS layer is loaded/,
    );
    assert.throws(
      () => createServer(loop, () => new Echo(), "127.0.0.1", 0, { ssl: {} }),
      /no TLS layer is loaded/,
    );
    assert.throws(
      () =>
        createConnection(loop, () => new Collect(loop), "127.0.0.1", 1, {
          sslHandshakeTimeout: 1,
        }),
      TypeError,
    );
  });
});
