import assert from "node:assert/strict";
import { spawn, waitpidNoHang } from "../../poll/spawn.ts";

Deno.test("a program whose executor jobs are done exits by itself", async () => {
  // Spawned through poll/ (FFI), so the test needs no --allow-run.
  const pid = spawn([
    Deno.execPath(),
    "run",
    "--allow-ffi",
    "--allow-read",
    "--allow-env=ASYNCIO_SELECTOR",
    new URL("./_exit_child.ts", import.meta.url).pathname,
  ], { fds: [-1, "devnull", -1] });
  // Generous: it would hang forever if a Worker or pooled wait were left.
  let code: number | null = null;
  for (let i = 0; i < 2000 && code === null; i++) {
    code = waitpidNoHang(pid);
    if (code === null) await new Promise((r) => setTimeout(r, 10));
  }
  if (code === null) {
    Deno.kill(pid, "SIGKILL");
    while (waitpidNoHang(pid) === null) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  assert.equal(code, 0);
});
