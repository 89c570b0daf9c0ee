import assert from "node:assert/strict";
import process from "node:process";
import {
  arch,
  envGet,
  envRead,
  os,
  pid,
  runtime,
} from "../../poll/_runtime.ts";

Deno.test("runtime names the host, with its os, arch and pid", () => {
  // node:process is on all three hosts; Deno's and Bun's name themselves
  // in process.versions.
  const v = process.versions as Record<string, string | undefined>;
  const host = v.bun !== undefined
    ? "bun"
    : v.deno !== undefined
    ? "deno"
    : "node";
  assert.equal(runtime, host);
  assert.equal(os, process.platform);
  const a = process.arch;
  assert.equal(arch, a === "x64" ? "x86_64" : a === "arm64" ? "aarch64" : a);
  assert.equal(pid(), process.pid);
});

// Node and Bun have no permissions to ask about: envRead's test covers
// them.
Deno.test(
  "envGet() reads a granted variable and never prompts for others",
  { ignore: runtime !== "deno" },
  () => {
    // The test task grants ASYNCIO_SELECTOR only.
    const granted = Deno.permissions.querySync({
      name: "env",
      variable: "ASYNCIO_SELECTOR",
    }).state === "granted";
    assert.equal(
      envGet("ASYNCIO_SELECTOR"),
      granted ? (Deno.env.get("ASYNCIO_SELECTOR") || undefined) : undefined,
    );
    const other = Deno.permissions.querySync({
      name: "env",
      variable: "ASYNCIO_NOT_GRANTED_X",
    }).state;
    if (other !== "granted") {
      assert.equal(envGet("ASYNCIO_NOT_GRANTED_X"), undefined);
    }
  },
);

Deno.test("envRead() reads a variable as the host does", () => {
  // The test task grants ASYNCIO_SELECTOR.
  assert.equal(envRead("ASYNCIO_SELECTOR"), Deno.env.get("ASYNCIO_SELECTOR"));
});
