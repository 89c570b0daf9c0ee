import assert from "node:assert/strict";
import { arch, os, pid, runtime } from "../../poll/_runtime.ts";

Deno.test("runtime is deno under Deno, with Deno's os, arch and pid", () => {
  assert.equal(runtime, "deno");
  assert.equal(os, Deno.build.os);
  assert.equal(arch, Deno.build.arch);
  assert.equal(pid(), Deno.pid);
});
