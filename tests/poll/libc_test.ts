import assert from "node:assert/strict";
import {
  _openLibc,
  asyncCallsOffThread,
  libraryName,
  libraryNames,
} from "../../poll/_libc.ts";
import { runtime } from "../../poll/_runtime.ts";

Deno.test("libc loading without FFI permission says to run with --allow-ffi", {
  permissions: { ffi: false },
}, () => {
  assert.throws(
    () => _openLibc(libraryNames(Deno.build.os)),
    (e) => e instanceof Error && /run with --allow-ffi/.test(e.message),
  );
});

Deno.test("libc loading on an unsupported OS names the OS", () => {
  assert.deepEqual(libraryNames("windows"), []);
  assert.throws(
    () => _openLibc(libraryNames("windows"), "windows"),
    /windows is not supported/,
  );
});

Deno.test("libraryNames() tries glibc, then musl, on Linux", () => {
  assert.deepEqual(libraryNames("linux").slice(0, 2), ["libc.so.6", "libc.so"]);
  assert.deepEqual(libraryNames("darwin"), ["libSystem.B.dylib"]);
});

Deno.test("libraryName() is the first libc name that opened; calls run off-thread except on Bun", () => {
  assert.ok(libraryNames(Deno.build.os).includes(libraryName()));
  // bun:ffi has no calls off the JS thread (see poll/_ffi_bun.ts).
  assert.equal(asyncCallsOffThread(), runtime !== "bun");
});
