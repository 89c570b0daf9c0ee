import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { scaffoldUrl } from "../poll/_helpers.ts";
import { FileNotFoundError } from "../../poll/errors.ts";
import { _live } from "../../tls/_libssl.ts";
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  createDefaultContext,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLError,
  TLSVersion,
} from "../../tls/mod.ts";
import { fixture, tlsTest } from "./_helpers.ts";

const pem = (name: string) => Deno.readTextFileSync(fixture(name));

tlsTest(
  "loadCertChain() loads PEM files and PEM text, with and without a chain",
  () => {
    using a = new SSLContext(PROTOCOL_TLS_SERVER);
    a.loadCertChain(fixture("server.pem"), fixture("server.key"));
    using b = new SSLContext(PROTOCOL_TLS_SERVER);
    b.loadCertChain(pem("server_chain.pem"), pem("server.key"));
    using c = new SSLContext(PROTOCOL_TLS_SERVER);
    c.loadCertChain(pem("server.pem") + pem("server.key")); // one file with both
  },
);

tlsTest(
  "loadCertChain() decrypts a key with the right password (text, bytes, function)",
  () => {
    for (
      const password of [
        "secret",
        new TextEncoder().encode("secret"),
        () => "secret",
      ]
    ) {
      using ctx = new SSLContext(PROTOCOL_TLS_SERVER);
      ctx.loadCertChain(
        fixture("server.pem"),
        fixture("server_enc.key"),
        password,
      );
    }
  },
);

tlsTest("loadCertChain() refuses a wrong password with SSLError", () => {
  using ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  assert.throws(
    () =>
      ctx.loadCertChain(
        fixture("server.pem"),
        fixture("server_enc.key"),
        "wrong",
      ),
    (e: unknown) => e instanceof SSLError && /private key/.test(e.message),
  );
});

tlsTest(
  "loadCertChain() refuses an encrypted key without a password (never prompts)",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    assert.throws(
      () => ctx.loadCertChain(fixture("server.pem"), fixture("server_enc.key")),
      SSLError,
    );
  },
);

tlsTest(
  "loadCertChain() refuses a missing file with FileNotFoundError, as Python",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    assert.throws(
      () => ctx.loadCertChain(fixture("nope.pem"), fixture("server.key")),
      (e: unknown) =>
        e instanceof FileNotFoundError && /nope\.pem/.test(e.message),
    );
    assert.throws(
      () => ctx.loadCertChain(fixture("server.pem"), fixture("nope.key")),
      FileNotFoundError,
    );
  },
);

tlsTest(
  "loadCertChain() refuses a malformed certificate or key with SSLError",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    assert.throws(
      () => ctx.loadCertChain(fixture("regen.sh"), fixture("server.key")),
      (e: unknown) => e instanceof SSLError && e.library === "PEM",
    );
    const broken = pem("server.pem").replace(/[A-Za-z]{20}/, "!!!!");
    assert.throws(
      () => ctx.loadCertChain(broken, fixture("server.key")),
      SSLError,
    );
    assert.throws(
      () =>
        ctx.loadCertChain(
          fixture("server.pem"),
          "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ),
      SSLError,
    );
  },
);

tlsTest(
  "loadCertChain() refuses a key that does not match the certificate",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    assert.throws(
      () => ctx.loadCertChain(fixture("server.pem"), fixture("other.key")),
      (e: unknown) =>
        e instanceof SSLError && /KEY_VALUES_MISMATCH/.test(e.message),
    );
  },
);

tlsTest(
  "loadVerifyLocations() takes cafile or cadata and refuses neither or garbage",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations({ cafile: fixture("ca.pem") });
    ctx.loadVerifyLocations({ cadata: pem("ca.pem") }); // again: no error
    assert.throws(() => ctx.loadVerifyLocations({}), TypeError);
    assert.throws(
      () => ctx.loadVerifyLocations({ cadata: "not a certificate" }),
      SSLError,
    );
    assert.throws(
      () => ctx.loadVerifyLocations({ cafile: fixture("nope.pem") }),
      FileNotFoundError,
    );
  },
);

tlsTest("SSLContext has Python's defaults per protocol", () => {
  using client = new SSLContext(PROTOCOL_TLS_CLIENT);
  assert.equal(client.verifyMode, CERT_REQUIRED);
  assert.equal(client.checkHostname, true);
  assert.equal(client.minimumVersion, TLSVersion.TLSv1_2);
  using server = new SSLContext(PROTOCOL_TLS_SERVER);
  assert.equal(server.verifyMode, CERT_NONE);
  assert.equal(server.checkHostname, false);
  using dflt = createDefaultContext();
  assert.equal(dflt.protocol, PROTOCOL_TLS_CLIENT);
  using forClients = createDefaultContext("clientAuth");
  assert.equal(forClients.protocol, PROTOCOL_TLS_SERVER);
  assert.throws(() => new SSLContext(99), RangeError);
});

tlsTest(
  "verifyMode and checkHostname keep each other consistent, as Python",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    assert.throws(
      () => (ctx.verifyMode = CERT_NONE),
      /checkHostname is enabled/,
    );
    assert.equal(ctx.verifyMode, CERT_REQUIRED);
    ctx.checkHostname = false;
    ctx.verifyMode = CERT_NONE;
    ctx.checkHostname = true; // turns verification back on
    assert.equal(ctx.verifyMode, CERT_REQUIRED);
    ctx.verifyMode = CERT_OPTIONAL;
    assert.throws(() => (ctx.verifyMode = 7 as never), RangeError);
  },
);

tlsTest(
  "setCiphers(), setAlpnProtocols() and version setters refuse bad values",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.setCiphers("ECDHE+AESGCM");
    assert.throws(
      () => ctx.setCiphers("NO-SUCH-CIPHER"),
      /No cipher can be selected/,
    );
    assert.throws(() => ctx.setAlpnProtocols([""]), RangeError);
    assert.throws(() => ctx.setAlpnProtocols(["x".repeat(256)]), RangeError);
    assert.throws(() => (ctx.minimumVersion = 0x999 as never), RangeError);
    ctx.minimumVersion = TLSVersion.TLSv1_3;
    assert.equal(ctx.minimumVersion, TLSVersion.TLSv1_3);
  },
);

tlsTest(
  "wrapBio() refuses a client without serverHostname when checkHostname is on",
  () => {
    using ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    const [a, b] = [new MemoryBIO(), new MemoryBIO()];
    try {
      assert.throws(
        () => ctx.wrapBio(a, b),
        /checkHostname requires serverHostname/,
      );
      assert.throws(
        () => ctx.wrapBio(a, b, { serverSide: true }),
        /PROTOCOL_TLS_CLIENT/,
      );
    } finally {
      a.free();
      b.free();
    }
  },
);

tlsTest(
  "SSLContext.close() frees the native context once its last connection ends",
  () => {
    const before = _live.ctx;
    const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    ctx.loadCertChain(fixture("server.pem"), fixture("server.key"));
    ctx.sniCallback = () => {};
    ctx.setAlpnProtocols(["h2"]);
    const [a, b] = [new MemoryBIO(), new MemoryBIO()];
    const obj = ctx.wrapBio(a, b, { serverSide: true });
    ctx.close();
    assert.equal(_live.ctx, before + 1); // still used by obj
    assert.throws(() => ctx.setCiphers("ALL"), /closed/);
    obj.free();
    assert.equal(_live.ctx, before);
    a.free();
    b.free();
    ctx.close(); // idempotent
  },
);

Deno.test("libssl is not loaded by a program that never uses TLS", async () => {
  // A fresh thread: this process loaded libssl in the tests before.
  const w = new Worker(scaffoldUrl("./_lazy_worker", import.meta.url));
  const result = await new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });
  await w.terminate();
  assert.deepEqual(result, [false, true]);
});
