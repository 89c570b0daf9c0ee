/**
 * What the Node/Bun smoke tests share: running a command from the project
 * root (with ASYNCIO_SELECTOR set, a 60 s limit: a starved host would hang
 * the program), and bundling a smoke program once with esbuild under
 * node_modules/.cache (no --allow-write for the test; `koffi` resolves from
 * there as from any file of the project).
 *
 * @module
 */

import assert from "node:assert/strict";

/** The project root. */
export const root: string = new URL("../../", import.meta.url).pathname;

/** What a command printed and its exit code. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `cmd args` in the project root with `ASYNCIO_SELECTOR=selector`. */
export async function run(
  cmd: string,
  args: string[],
  selector = "poll",
): Promise<Ran> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { ASYNCIO_SELECTOR: selector },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return {
    code: r.code,
    stdout: dec.decode(r.stdout),
    stderr: dec.decode(r.stderr),
  };
}

// node_modules may be shared by several checkouts (worktrees): each writes
// under its own folder, named for its path.
const cache = `${root}node_modules/.cache/asyncio-runtimes/${
  root.replace(/[^A-Za-z0-9]+/g, "_")
}`;

const built = new Map<string, Promise<string>>();

/**
 * Bundle `entry` (a path from the root) once for Node 20 and Bun; the
 * bundle's path.
 */
export function bundle(entry: string, name: string): Promise<string> {
  let done = built.get(entry);
  if (done === undefined) {
    const out = `${cache}/${name}.mjs`;
    done = (async () => {
      const r = await run("npx", [
        "esbuild",
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--external:koffi",
        "--external:bun:ffi",
        "--log-level=warning",
        `--outfile=${out}`,
        entry,
      ]);
      assert.equal(r.code, 0, `esbuild failed:\n${r.stderr}`);
      return out;
    })();
    built.set(entry, done);
  }
  return done;
}
