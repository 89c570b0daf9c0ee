/**
 * What the npm build and the Node/Bun test run share: the module's files,
 * and transpiling them one file to one file with esbuild, lowered to what
 * Node 20 runs, relative `.ts` specifiers rewritten to `.js` so the
 * output keeps working where it lands.
 *
 * @module
 */

import {
  copyFileSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rewriteSpecifiers } from "./npm/_rewrite.ts";

/** The checkout's root folder, with a trailing slash. */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** The module: its entry and its parts, as deno.json publishes them. */
export const MODULE: string[] = [
  "mod.ts",
  "poll",
  "futures",
  "loop",
  "net",
  "tls",
  "subprocess",
  "executors",
];

/** Every file under the ROOT-relative paths `rels`, ROOT-relative, sorted. */
export function filesUnder(rels: string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (!statSync(join(ROOT, rel)).isDirectory()) {
      out.push(rel);
      return;
    }
    for (const name of readdirSync(join(ROOT, rel)).sort()) {
      walk(`${rel}/${name}`);
    }
  };
  for (const rel of rels) walk(rel);
  return out;
}

/**
 * Entry scripts that a part provides twice: the one Deno and Bun start from
 * source, and the one for transpiled JavaScript, which replaces it in the
 * output. A pool thread's `_worker.js` loads its TypeScript body through a
 * computed import and `self`; as JavaScript on Node (worker_threads, no
 * `self`) it must be `_worker_bundle.ts` (see executors/_host.ts).
 */
export const JS_ENTRIES: Record<string, string> = {
  "executors/_worker.js": "executors/_worker_bundle.ts",
};

/** Whether a ROOT-relative path is source esbuild transpiles. */
export const isCode = (rel: string): boolean => /\.(ts|js|mjs)$/.test(rel);

/** Run `cmd` in ROOT with this process's output; throw if it fails. */
export async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.slice(0, 2).join(" ")} ... exited ${r.code}`,
    );
  }
}

/**
 * Transpile the ROOT-relative source files `files` into `outdir` (same
 * relative places, `.js`); returns the output paths.
 */
export async function transpile(
  files: string[],
  outdir: string,
): Promise<string[]> {
  await run("npx", [
    "esbuild",
    ...files,
    `--outdir=${outdir}`,
    `--outbase=${ROOT}`,
    "--format=esm",
    "--platform=node",
    "--target=node20",
    "--log-level=error",
  ]);
  const outputs = files.map((f) =>
    join(outdir, f.replace(/\.(ts|mjs)$/, ".js"))
  );
  for (const js of outputs) {
    const text = readFileSync(js, "utf8");
    const next = rewriteSpecifiers(text);
    if (next !== text) writeFileSync(js, next);
  }
  for (const [target, source] of Object.entries(JS_ENTRIES)) {
    if (files.includes(target) && files.includes(source)) {
      copyFileSync(
        join(outdir, source.replace(/\.ts$/, ".js")),
        join(outdir, target),
      );
    }
  }
  return outputs;
}
