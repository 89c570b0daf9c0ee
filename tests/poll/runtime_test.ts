import assert from "node:assert/strict";
import {
  arch,
  envGet,
  envRead,
  os,
  pid,
  runtime,
} from "../../poll/_runtime.ts";

Deno.test("runtime is deno under Deno, with Deno's os, arch and pid", () => {
  assert.equal(runtime, "deno");
  assert.equal(os, Deno.build.os);
  assert.equal(arch, Deno.build.arch);
  assert.equal(pid(), Deno.pid);
});

Deno.test("envGet() reads a granted variable and never prompts for others", () => {
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
});

Deno.test("envRead() reads a variable as the host does", () => {
  // The test task grants ASYNCIO_SELECTOR.
  assert.equal(envRead("ASYNCIO_SELECTOR"), Deno.env.get("ASYNCIO_SELECTOR"));
});
