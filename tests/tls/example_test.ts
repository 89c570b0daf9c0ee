import assert from "node:assert/strict";
import { tlsEchoDemo } from "../../examples/tls_echo.ts";
import { tlsTest } from "./_helpers.ts";

tlsTest(
  "examples/tls_echo.ts echoes over a verified TLS connection",
  async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    try {
      await tlsEchoDemo();
    } finally {
      console.log = log;
    }
    assert.deepEqual(lines, [
      "  TLSv1.3 with TLS_AES_256_GCM_SHA384",
      "  client got: hello over TLS",
    ]);
  },
  { census: true },
);
