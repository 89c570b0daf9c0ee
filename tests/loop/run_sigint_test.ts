// Deno's test runner handles SIGINT itself, so Ctrl-C is sent to a child
// program running run().
import assert from "node:assert/strict";
import { hostProgram, signalWhenReady } from "../subprocess/_helpers.ts";

const CHILD = new URL("./_sigint_child.ts", import.meta.url);

/** Run the child, Ctrl-C it once it is ready; its output lines and status. */
function interrupt(form: string): { lines: string[]; code: number } {
  return signalWhenReady(
    hostProgram(CHILD, ["--allow-ffi", "--allow-read"], [form]),
    "ready",
    "SIGINT",
  );
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

Deno.test("run() cancels the main task on Ctrl-C (generator form, the loop waiting synchronously)", () => {
  assert.deepEqual(interrupt("generator"), {
    lines: ["ready", "finally", "KeyboardInterrupt"],
    code: 0,
  });
});
