/**
 * SSLObject's internal steps used by SSLProtocol: a handshake and a
 * shutdown that wait for the peer say so with `false`, not a thrown
 * SSLWantReadError (the protocol's hot path), and fail as the public calls do.
 */

import assert from "node:assert/strict";
import { bioPair } from "./_bio_pair.ts";
import { SSLError } from "../../tls/errors.ts";
import { clientContext, serverContext, tlsTest } from "./_helpers.ts";
import * as tlsKeys from "../../tls/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _handshakeStep: typeof tlsKeys._handshakeStep = tlsKeys._handshakeStep;
const _unwrapStep: typeof tlsKeys._unwrapStep = tlsKeys._unwrapStep;

function pair() {
  const sctx = serverContext();
  const cctx = clientContext();
  const p = bioPair(cctx, sctx, "localhost");
  const free = () => {
    p.free();
    sctx.close();
    cctx.close();
  };
  return { ...p, free };
}

tlsTest(
  "SSLObject._handshakeStep() returns false until the peer's records complete it",
  () => {
    const p = pair();
    try {
      assert.equal(p.c[_handshakeStep](), false);
      p.si.write(p.co.read());
      assert.equal(p.s[_handshakeStep](), false);
      p.ci.write(p.so.read());
      assert.equal(p.c[_handshakeStep](), true);
      p.si.write(p.co.read());
      assert.equal(p.s[_handshakeStep](), true);
      assert.equal(p.c.version(), "TLSv1.3");
    } finally {
      p.free();
    }
  },
);

tlsTest(
  "SSLObject._handshakeStep() throws SSLError for a peer that is not TLS",
  () => {
    const p = pair();
    try {
      p.si.write(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
      assert.throws(() => p.s[_handshakeStep](), SSLError);
    } finally {
      p.free();
    }
  },
);

tlsTest(
  "SSLObject._unwrapStep() returns false until the peer's close_notify arrives",
  () => {
    const p = pair();
    try {
      for (let i = 0; i < 3; i++) {
        p.c[_handshakeStep]();
        p.si.write(p.co.read());
        p.s[_handshakeStep]();
        p.ci.write(p.so.read());
      }
      assert.equal(p.c[_unwrapStep](), false);
      p.si.write(p.co.read());
      assert.equal(p.s[_unwrapStep](), true);
      p.ci.write(p.so.read());
      assert.equal(p.c[_unwrapStep](), true);
    } finally {
      p.free();
    }
  },
);
