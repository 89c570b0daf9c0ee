import assert from "node:assert/strict";

Deno.test("a program whose executor jobs are done exits by itself", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-check",
      "--allow-ffi",
      "--allow-read",
      "--allow-env=ASYNCIO_SELECTOR",
      new URL("./_exit_child.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Generous: it would hang forever if a Worker or pooled wait were left.
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const out = await child.output();
  clearTimeout(timer);
  assert.equal(
    out.code,
    0,
    `exit ${out.code} ${out.signal ?? ""}: ${
      new TextDecoder().decode(out.stderr)
    }`,
  );
  assert.equal(new TextDecoder().decode(out.stdout).trim(), String(6765 + 3));
});
