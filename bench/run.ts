/**
 * `deno task bench`: every workload on our loop, both coroutine forms, one
 * fresh process each (one shot, no warm-up). Prints one JSON line per run.
 * Extra arguments reach every run: `deno task bench -n 1000` is a quick
 * smoke test of every workload against the current library.
 *
 * @module
 */

import { WORKLOADS } from "./_common.ts";

const FORM_FREE = new Set(["callbacks", "timers"]);
for (const w of WORKLOADS) {
  for (const form of FORM_FREE.has(w) ? ["gen"] : ["gen", "async"]) {
    const out = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-ffi",
        "--allow-env=ASYNCIO_SELECTOR",
        "bench/ours.ts",
        w,
        "--form",
        form,
        ...Deno.args,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).outputSync();
    const line = new TextDecoder().decode(out.stdout).trim();
    if (!out.success) throw new Error(`bench ${w} --form ${form} failed`);
    console.log(line);
  }
}
