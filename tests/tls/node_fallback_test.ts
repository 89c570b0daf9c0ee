/**
 * The `node:tls` fallback (for where libssl cannot be loaded), forced here
 * with `_setTlsBackend("node")` since libssl exists: the same SSLContext and
 * `ssl` options, echo, ALPN, verification failures typed as with libssl,
 * interop with a libssl peer, and clear refusals of what needs libssl.
 */

import assert from "node:assert/strict";
import { run } from "../../loop/run.ts";
import type { Server } from "../../net/server.ts";
import type { StreamReader } from "../../net/stream_reader.ts";
import type { StreamWriter } from "../../net/stream_writer.ts";
import { echoLines } from "./_echo_lines.ts";
import { openConnection, startServer } from "../../net/streams.ts";
import {
  _chooseBackend,
  _setTlsBackend,
  type TlsBackend,
} from "../../tls/_backend.ts";
import { MemoryBIO } from "../../tls/memory_bio.ts";
import {
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
} from "../../tls/context.ts";
import { SSLCertVerificationError, SSLError } from "../../tls/errors.ts";
import { dec, enc, fixture, tlsTest } from "./_helpers.ts";

const census = { census: true };
const portOf = (s: Server) =>
  (s.sockets[0].getsockname() as [string, number])[1];

/** A context made on `backend`; the switch is put back at once. */
function on(backend: TlsBackend, make: () => SSLContext): SSLContext {
  _setTlsBackend(backend);
  try {
    return make();
  } finally {
    _setTlsBackend(null);
  }
}

function server(backend: TlsBackend, alpn?: string[]): SSLContext {
  return on(backend, () => {
    const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    ctx.loadCertChain(fixture("server.pem"), fixture("server.key"));
    if (alpn) ctx.setAlpnProtocols(alpn);
    return ctx;
  });
}

function client(backend: TlsBackend, alpn?: string[], ca = true): SSLContext {
  return on(backend, () => {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    if (ca) ctx.loadVerifyLocations({ cafile: fixture("ca.pem") });
    if (alpn) ctx.setAlpnProtocols(alpn);
    return ctx;
  });
}

/** Connect `cctx` to a server on `sctx`, send two lines, read them back. */
function echo(sctx: SSLContext, cctx: SSLContext, host = "localhost") {
  return run(function* () {
    const srv = yield* startServer(echoLines, "127.0.0.1", 0, { ssl: sctx });
    try {
      const [reader, writer] = yield* openConnection(
        "127.0.0.1",
        portOf(srv),
        { ssl: cctx, serverHostname: host },
      );
      writer.write(enc("hello\nworld\n"));
      const lines = [
        dec(yield* reader.readline()),
        dec(yield* reader.readline()),
      ];
      const info = {
        version: writer.getExtraInfo("version"),
        alpn: writer.getExtraInfo("alpnProtocol"),
      };
      writer.close();
      yield* writer.waitClosed();
      return { lines, info };
    } finally {
      srv.close();
      yield* srv.waitClosed();
    }
  });
}

tlsTest(
  "the node:tls fallback echoes lines over loopback, both ends on node:tls",
  async () => {
    const sctx = server("node");
    const cctx = client("node");
    try {
      assert.equal(sctx.usesNodeTls, true);
      assert.equal(cctx.usesNodeTls, true);
      const got = await echo(sctx, cctx);
      assert.deepEqual(got.lines, ["hello\n", "world\n"]);
      assert.equal(got.info.version, "TLSv1.3");
    } finally {
      sctx.close();
      cctx.close();
    }
  },
  census,
);

tlsTest(
  "the node:tls fallback negotiates ALPN with the server's preference, h2 over http/1.1",
  async () => {
    const sctx = server("node", ["h2", "http/1.1"]);
    const cctx = client("node", ["http/1.1", "h2"]);
    try {
      assert.equal((await echo(sctx, cctx)).info.alpn, "h2");
    } finally {
      sctx.close();
      cctx.close();
    }
  },
  census,
);

tlsTest(
  "a node:tls fallback client talks to a libssl server, and the reverse",
  async () => {
    for (const [s, c] of [["libssl", "node"], ["node", "libssl"]] as const) {
      const sctx = server(s);
      const cctx = client(c);
      try {
        assert.deepEqual((await echo(sctx, cctx)).lines, [
          "hello\n",
          "world\n",
        ]);
      } finally {
        sctx.close();
        cctx.close();
      }
    }
  },
  census,
);

/** The verification error of a node:tls client against a libssl server. */
async function refusal(
  ca: boolean,
  host: string,
): Promise<SSLCertVerificationError> {
  const sctx = server("libssl");
  const cctx = client("node", undefined, ca);
  try {
    await echo(sctx, cctx, host);
  } catch (err) {
    assert.ok(err instanceof SSLCertVerificationError, String(err));
    return err;
  } finally {
    sctx.close();
    cctx.close();
  }
  throw new Error("the handshake succeeded");
}

tlsTest(
  "the node:tls fallback refuses a server no loaded CA signed, with SSLCertVerificationError",
  async () => {
    const err = await refusal(false, "localhost");
    // 20 "unable to get local issuer certificate" (OpenSSL), 21 "unable to
    // verify the first certificate" (Deno's rustls-based node:tls).
    assert.ok([20, 21].includes(err.verifyCode), String(err.verifyCode));
    assert.match(
      err.verifyMessage,
      /^unable to (get local issuer|verify the first) certificate$/,
    );
  },
  census,
);

tlsTest(
  "the node:tls fallback refuses a certificate for another host name: hostname mismatch",
  async () => {
    const err = await refusal(true, "not-this-host.example");
    assert.equal(err.verifyCode, 62);
    assert.equal(err.verifyMessage, "hostname mismatch");
  },
  census,
);

tlsTest(
  "SSLContext on the node:tls fallback refuses wrapBio() and sniCallback, naming libssl",
  () => {
    const ctx = server("node");
    const bio = new MemoryBIO();
    try {
      assert.throws(() => ctx.wrapBio(bio, bio, { serverSide: true }), {
        message: /^Cannot wrap BIOs: the node:tls fallback has no SSLObject/,
      });
      assert.throws(() => (ctx.sniCallback = () => {}), {
        message: /^Cannot set sniCallback: the node:tls fallback/,
      });
      assert.equal(ctx.sniCallback, null);
    } finally {
      bio.free();
      ctx.close();
    }
  },
);

tlsTest(
  "loadCertChain() on the node:tls fallback refuses a wrong password and a key of another certificate",
  () => {
    const ctx = on("node", () => new SSLContext(PROTOCOL_TLS_SERVER));
    try {
      assert.throws(
        () =>
          ctx.loadCertChain(
            fixture("server.pem"),
            fixture("server_enc.key"),
            "wrong",
          ),
        SSLError,
      );
      assert.throws(
        () => ctx.loadCertChain(fixture("server.pem"), fixture("other.key")),
        { message: /the private key does not match the certificate/ },
      );
      // Nothing was kept: the right pair still loads.
      ctx.loadCertChain(fixture("server.pem"), fixture("server.key"));
    } finally {
      ctx.close();
    }
  },
);

Deno.test("_setTlsBackend() refuses an unknown backend, changing nothing", () => {
  assert.throws(() => _setTlsBackend("rustls" as TlsBackend), RangeError);
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  assert.equal(ctx.usesNodeTls, false);
  ctx.close();
});

Deno.test("_chooseBackend() takes node:tls when libssl is missing, libssl when it loads", () => {
  assert.equal(_chooseBackend(() => {}), "libssl");
  assert.equal(
    _chooseBackend(() => {
      throw new Error(
        "Cannot load libssl: none of libssl.so.3 could be opened, install OpenSSL 3",
      );
    }),
    "node",
  );
});

Deno.test("_chooseBackend() throws a missing FFI permission instead of falling back", () => {
  const denied = new Error(
    "Cannot load libcrypto: FFI permission is missing, run with --allow-ffi",
  );
  assert.throws(() =>
    _chooseBackend(() => {
      throw denied;
    }), denied);
});

tlsTest(
  "StreamWriter.startTls() upgrades a plaintext connection on the node:tls fallback",
  async () => {
    const sctx = server("node");
    const cctx = client("node");
    try {
      await run(function* () {
        const srv = yield* startServer(
          function* (reader, writer) {
            assert.equal(dec(yield* reader.readline()), "STARTTLS\n");
            writer.write(enc("OK\n"));
            yield* writer.startTls(sctx);
            const line = yield* reader.readline();
            writer.write(enc(`secret: ${dec(line)}`));
            yield* writer.drain();
            writer.close();
          },
          "127.0.0.1",
          0,
        );
        const [reader, writer] = yield* openConnection(
          "127.0.0.1",
          portOf(srv),
        );
        writer.write(enc("STARTTLS\n"));
        assert.equal(dec(yield* reader.readline()), "OK\n");
        yield* writer.startTls(cctx, { serverHostname: "localhost" });
        assert.equal(writer.getExtraInfo("version"), "TLSv1.3");
        writer.write(enc("hi\n"));
        assert.equal(dec(yield* reader.readline()), "secret: hi\n");
        assert.equal((yield* reader.read()).length, 0);
        writer.close();
        yield* writer.waitClosed();
        srv.close();
        srv.closeClients();
        yield* srv.waitClosed();
      });
    } finally {
      sctx.close();
      cctx.close();
    }
  },
  census,
);

/**
 * The error of a node:tls client's handshake with a plain server running
 * `serve` (null if it succeeded); the server and its clients are closed.
 */
async function failedHandshake(
  serve: (r: StreamReader, w: StreamWriter) => Generator<unknown, void>,
  sslHandshakeTimeout?: number,
): Promise<unknown> {
  const cctx = client("node");
  try {
    return await run(function* () {
      const srv = yield* startServer(serve, "127.0.0.1", 0);
      try {
        yield* openConnection("127.0.0.1", portOf(srv), {
          ssl: cctx,
          serverHostname: "localhost",
          sslHandshakeTimeout,
        });
        return null;
      } catch (err) {
        return err;
      } finally {
        srv.close();
        srv.closeClients();
        yield* srv.waitClosed();
      }
    });
  } finally {
    cctx.close();
  }
}

tlsTest(
  "the node:tls fallback fails the handshake with a peer that is not TLS, leaving nothing open",
  async () => {
    const failed = await failedHandshake(function* (reader, writer) {
      yield* reader.read(1024); // the ClientHello
      writer.write(enc("HTTP/1.0 400 Bad Request\r\n\r\n"));
      writer.close();
    });
    // An SSLError ("wrong version number"), or ConnectionResetError when
    // the peer's close ends the handshake before node:tls judged the bytes
    // (it reads them in a later host turn).
    assert.ok(
      failed instanceof SSLError ||
        (failed as Error)?.name === "ConnectionResetError",
      `not an SSL failure: ${failed}`,
    );
  },
  census,
);

tlsTest(
  "the node:tls fallback aborts a handshake that takes longer than sslHandshakeTimeout",
  async () => {
    // A server that reads and never answers.
    const failed = await failedHandshake(function* (reader) {
      yield* reader.read(65536);
      yield* reader.read(65536);
    }, 0.2);
    assert.equal((failed as Error)?.name, "ConnectionAbortedError");
    assert.match(String(failed), /taking longer than 0.2 seconds/);
  },
  census,
);
