/**
 * Reading a PEM file on any runtime: `Deno.readTextFileSync` on Deno,
 * `node:fs` on Node and Bun (loaded only there, on first use). A missing
 * file is an error whose `code` is "ENOENT" on every runtime.
 *
 * @module
 */

import { nodeRequire } from "../poll/_node_require.ts";
import { runtime } from "../poll/_runtime.ts";

type ReadFileSync = (path: string, encoding: "utf8") => string;
let readFileSync: ReadFileSync | null = null;

/**
 * The UTF-8 text of the file at `path`.
 *
 * @throws {Error} with `code` "ENOENT" when the file is missing, the host's
 *   error otherwise (a directory, a missing read permission).
 * @internal
 */
export function readTextFile(path: string): string {
  if (runtime === "deno") {
    try {
      return Deno.readTextFileSync(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw Object.assign(new Error(err.message, { cause: err }), {
          code: "ENOENT",
        });
      }
      throw err;
    }
  }
  readFileSync ??= (nodeRequire("node:fs") as { readFileSync: ReadFileSync })
    .readFileSync;
  return readFileSync(path, "utf8");
}
