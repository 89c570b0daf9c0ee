/**
 * A runtime-neutral TLS smoke program (no `Deno.*`): libssl through the
 * runtime's FFI backend (koffi on Node, `bun:ffi` on Bun), SSLObject +
 * MemoryBIO handshakes with ALPN and SNI callbacks, verification failures
 * typed, a TLS echo over loopback through our loop, and every native
 * object freed. Bundled with esbuild and run under Node and Bun by
 * `tls_node_bun_test.ts`; it prints one JSON line of what it saw, and exits
 * non-zero on any failure. Fixture paths are relative to the project root
 * (the harness's cwd).
 *
 * @module
 */

import assert from "node:assert/strict";
import { runtime } from "../../poll/_runtime.ts";
import { _live } from "../../tls/_libssl.ts";
import { _setTlsBackend } from "../../tls/_backend.ts";
import {
  CERT_NONE,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLCertVerificationError,
  SSLContext,
  type SSLObject,
  SSLWantReadError,
} from "../../tls/mod.ts";
import { openConnection, run, startServer } from "../../mod.ts";
import { bioPair } from "../tls/_bio_pair.ts";
import { echoLines } from "../tls/_echo_lines.ts";
import { assertNoFdLeaked, openFds, startBunWaiter } from "./_fd_census.ts";

const FIX = "tests/tls/fixtures/";
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const seen: string[] = [];

function server(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(FIX + "server.pem", FIX + "server.key");
  return ctx;
}

function client(ca = true): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  if (ca) ctx.loadVerifyLocations({ cafile: FIX + "ca.pem" });
  return ctx;
}

function step(o: SSLObject): boolean {
  try {
    o.doHandshake();
    return true;
  } catch (err) {
    if (err instanceof SSLWantReadError) return false;
    throw err;
  }
}

/** A client and a server over four memory BIOs, pumped by hand. */
function pair(cctx: SSLContext, sctx: SSLContext, host: string) {
  const p = bioPair(cctx, sctx, host);
  const handshake = () => {
    let done = [false, false];
    for (let i = 0; i < 10 && !(done[0] && done[1]); i++) {
      done = [step(p.c), done[1]];
      p.si.write(p.co.read());
      done = [done[0], step(p.s)];
      p.ci.write(p.so.read());
    }
    return done[0] && done[1];
  };
  return { ...p, handshake };
}

// A handshake with ALPN (server preference wins) and SNI (the server's
// callback sees the name), then data both ways.
{
  const sctx = server();
  const cctx = client();
  sctx.setAlpnProtocols(["h2", "http/1.1"]);
  cctx.setAlpnProtocols(["http/1.1", "h2"]);
  const names: (string | null)[] = [];
  sctx.sniCallback = (_obj, name) => {
    names.push(name);
  };
  const p = pair(cctx, sctx, "localhost");
  assert.ok(p.handshake(), "the handshake did not finish");
  assert.equal(p.c.version(), "TLSv1.3");
  assert.equal(p.c.selectedAlpnProtocol(), "h2");
  assert.equal(p.s.selectedAlpnProtocol(), "h2");
  assert.deepEqual(names, ["localhost"]);
  const cert = p.c.getpeercert();
  assert.deepEqual(cert?.subjectAltName?.[0], ["DNS", "localhost"]);
  assert.ok((p.c.getpeercert(true)?.length ?? 0) > 100);
  assert.equal(p.c.cipher()?.[1], "TLSv1.3");
  p.c.write(enc("ping"));
  p.si.write(p.co.read());
  assert.equal(dec(p.s.read()), "ping");
  p.s.write(enc("pong"));
  p.ci.write(p.so.read());
  assert.equal(dec(p.c.read()), "pong");
  p.free();
  sctx.close();
  cctx.close();
  seen.push("handshake");
}

// Verification failures are typed and name the reason.
{
  const sctx = server();
  const untrusting = client(false);
  const p = pair(untrusting, sctx, "localhost");
  assert.throws(() => p.handshake(), (err: unknown) => {
    assert.ok(err instanceof SSLCertVerificationError, String(err));
    assert.equal(err.verifyCode, 20);
    assert.match(err.verifyMessage, /unable to get local issuer certificate/);
    return true;
  });
  p.free();
  untrusting.close();
  const cctx = client();
  const q = pair(cctx, sctx, "not-this-host.example");
  assert.throws(() => q.handshake(), (err: unknown) => {
    assert.ok(err instanceof SSLCertVerificationError, String(err));
    assert.equal(err.verifyMessage, "hostname mismatch");
    return true;
  });
  q.free();
  cctx.checkHostname = false;
  cctx.verifyMode = CERT_NONE;
  const r = pair(cctx, sctx, "not-this-host.example");
  assert.ok(r.handshake());
  r.free();
  cctx.close();
  sctx.close();
  // A missing file is Python's FileNotFoundError.
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  assert.throws(
    () => ctx.loadCertChain(FIX + "nope.pem", FIX + "nope.key"),
    { name: "FileNotFoundError" },
  );
  ctx.close();
  seen.push("verification");
}

/** Two lines echoed over loopback: startServer + openConnection. */
function echoOver(sctx: SSLContext, cctx: SSLContext, host = "localhost") {
  return run(function* () {
    const srv = yield* startServer(echoLines, "127.0.0.1", 0, { ssl: sctx });
    try {
      const port = (srv.sockets[0].getsockname() as [string, number])[1];
      const [reader, writer] = yield* openConnection("127.0.0.1", port, {
        ssl: cctx,
        serverHostname: host,
      });
      writer.write(enc("hello\nworld\n"));
      const lines = [
        dec(yield* reader.readline()),
        dec(yield* reader.readline()),
      ];
      const version = writer.getExtraInfo("version");
      writer.close();
      yield* writer.waitClosed();
      return { lines, version };
    } finally {
      srv.close();
      srv.closeClients();
      yield* srv.waitClosed();
    }
  });
}

// A TLS echo over loopback on our loop.
{
  await startBunWaiter();
  const fdsBefore = openFds();
  const sctx = server();
  const cctx = client();
  const got = await echoOver(sctx, cctx);
  assert.deepEqual(got, { lines: ["hello\n", "world\n"], version: "TLSv1.3" });
  sctx.close();
  cctx.close();
  await assertNoFdLeaked(fdsBefore);
  seen.push("echo");
}

// The same echo on the node:tls fallback (forced: libssl is here).
{
  _setTlsBackend("node");
  const sctx = server();
  const cctx = client();
  _setTlsBackend(null);
  assert.ok(sctx.usesNodeTls && cctx.usesNodeTls);
  const got = await echoOver(sctx, cctx);
  assert.deepEqual(got, { lines: ["hello\n", "world\n"], version: "TLSv1.3" });
  // A hostname mismatch, typed as on libssl.
  await assert.rejects(
    echoOver(sctx, cctx, "not-this-host.example"),
    (err: unknown) => {
      assert.ok(err instanceof SSLCertVerificationError, String(err));
      assert.equal(err.verifyMessage, "hostname mismatch");
      return true;
    },
  );
  sctx.close();
  cctx.close();
  seen.push("fallback");
}

// Every native object was freed (collection is not needed: all were freed
// explicitly, or by the protocol when its connection ended).
assert.deepEqual({ ..._live }, { ctx: 0, ssl: 0, bio: 0 });
seen.push("freed");

console.log(JSON.stringify({ runtime, seen }));
