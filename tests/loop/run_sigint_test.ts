// Deno's test runner handles SIGINT itself, so Ctrl-C is sent to a child
// program running run().
import assert from "node:assert/strict";
import { close, pipe, read } from "../../poll/fd.ts";
import { killProcess, spawn, waitpidNoHang } from "../../poll/spawn.ts";

const CHILD = new URL("./_sigint_child.ts", import.meta.url).pathname;

/** Run the child, Ctrl-C it once it is ready; its output lines and status. */
function interrupt(form: string): { lines: string[]; code: number } {
  const [r, w] = pipe();
  let pid: number;
  try {
    pid = spawn(
      [Deno.execPath(), "run", "--allow-ffi", "--allow-read", CHILD, form],
      { fds: ["devnull", w, -1] },
    );
  } finally {
    close(w);
  }
  const dec = new TextDecoder();
  const buf = new Uint8Array(4096);
  let text = "";
  try {
    for (let n; (n = read(r, buf)) > 0;) {
      const before = text;
      text += dec.decode(buf.subarray(0, n));
      if (!before.includes("ready\n") && text.includes("ready\n")) {
        killProcess(pid, "SIGINT");
      }
    }
  } finally {
    close(r);
  }
  let code = waitpidNoHang(pid);
  while (code === null) code = waitpidNoHang(pid);
  return { lines: text.trim().split("\n"), code };
}

Deno.test("run() cancels the main task on Ctrl-C: finally blocks run, then KeyboardInterrupt (async form)", () => {
  assert.deepEqual(interrupt("async"), {
    lines: ["ready", "finally", "KeyboardInterrupt"],
    code: 0,
  });
});

Deno.test("run() returns normally when the main task swallows the Ctrl-C cancellation", () => {
  assert.deepEqual(interrupt("swallow"), {
    lines: ["ready", "returned swallowed"],
    code: 0,
  });
});
