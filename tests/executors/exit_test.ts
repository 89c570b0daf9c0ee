import assert from "node:assert/strict";
import { killProcess, spawn, waitpidNoHang } from "../../poll/spawn.ts";
import { close, pipe, readOrAgain } from "../../poll/fd.ts";
import { hostProgram } from "../subprocess/_helpers.ts";

Deno.test("a program whose executor jobs are done exits by itself", async () => {
  const [r, w] = pipe();
  // Spawned through poll/ (FFI), so the test needs no --allow-run.
  const pid = spawn(
    hostProgram(new URL("./_exit_child.ts", import.meta.url), [
      "--allow-ffi",
      "--allow-read",
      "--allow-env=ASYNCIO_SELECTOR",
    ]),
    { fds: ["devnull", w, -1] },
  );
  close(w);
  // Generous: a runtime may start slowly while the test runner is busy
  // (it compiles doc tests meanwhile); a left Worker or pooled wait would
  // make it hang forever instead.
  let code: number | null = null;
  for (let i = 0; i < 6000 && code === null; i++) {
    code = waitpidNoHang(pid);
    if (code === null) await new Promise((res) => setTimeout(res, 10));
  }
  const buf = new Uint8Array(256);
  const n = code === null ? 0 : readOrAgain(r, buf);
  close(r);
  if (code === null) {
    killProcess(pid, "SIGKILL");
    while (waitpidNoHang(pid) === null) {
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)).trim(), "6768");
});
