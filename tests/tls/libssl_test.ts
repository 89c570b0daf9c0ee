/**
 * The libssl table on the runtime's FFI backend: what a missing library
 * says, 64-bit results as bigints, and native callbacks (the mechanism of
 * the ALPN and SNI hooks) called from C. The same code runs on Node and Bun
 * in tests/runtimes/tls_node_bun_test.ts.
 */

import assert from "node:assert/strict";
import type { Pointer } from "../../poll/_pointer.ts";
import { nativeCallback } from "../../poll/_callback.ts";
import { openLibrary } from "../../poll/_open_library.ts";
import { addressOfPointer, viewAt } from "../../poll/_pointer.ts";
import { _openSsl, libssl } from "../../tls/_libssl.ts";

Deno.test("_openSsl() names the library and what to install when libssl is missing", () => {
  assert.throws(() => _openSsl(["libnope-ssl.so.9"], ["libcrypto.so.3"]), {
    message:
      "Cannot load libssl: none of libnope-ssl.so.9 could be opened, install OpenSSL 3 (Debian/Ubuntu: apt-get install libssl3, Alpine: apk add libssl3, macOS: brew install openssl@3)",
  });
  assert.throws(() => _openSsl(["libssl.so.3"], ["libnope-crypto.so.9"]), {
    message: /^Cannot load libcrypto: none of libnope-crypto\.so\.9/,
  });
});

Deno.test("openLibrary() refuses a table the library cannot satisfy, naming it", () => {
  assert.throws(
    () =>
      openLibrary(["libcrypto.so.3"], {
        nope_not_in_libcrypto: { parameters: [], result: "i32" },
      }, "libcrypto"),
    { message: /^Cannot load libcrypto/ },
  );
});

Deno.test("libssl() gives 64-bit results as bigints", () => {
  const s = libssl();
  s.ERR_clear_error();
  assert.equal(s.ERR_get_error(), 0n);
  const bio = s.BIO_new(s.BIO_s_mem());
  assert.notEqual(bio, null);
  assert.equal(s.BIO_write(bio, new Uint8Array([1, 2, 3]), 3), 3);
  assert.equal(s.BIO_ctrl(bio, 10, /* BIO_CTRL_PENDING */ 0n, null), 3n);
  assert.equal(s.BIO_free(bio), 1);
});

Deno.test("nativeCallback() is called by C with the runtime's pointers", () => {
  // qsort(3) calls the comparator with pointers into the array it sorts.
  const lib = openLibrary(["libc.so.6", "libc.so", "libSystem.B.dylib"], {
    qsort: {
      parameters: ["buffer", "usize", "usize", "function"],
      result: "void",
    },
  }, "libc");
  const qsort = lib.symbols.qsort as (
    base: Uint8Array,
    n: bigint,
    size: bigint,
    cmp: unknown,
  ) => void;
  const values = new Int32Array([5, -3, 9, 0, 2]);
  const seen: bigint[] = [];
  const cmp = nativeCallback(
    { parameters: ["pointer", "pointer"], result: "i32" },
    (a: Pointer, b: Pointer) => {
      seen.push(addressOfPointer(a));
      return new Int32Array(viewAt(a, 4))[0] - new Int32Array(viewAt(b, 4))[0];
    },
  );
  try {
    qsort(new Uint8Array(values.buffer), 5n, 4n, cmp.pointer);
  } finally {
    cmp.close();
  }
  assert.deepEqual([...values], [-3, 0, 2, 5, 9]);
  assert.ok(seen.length > 0);
});
