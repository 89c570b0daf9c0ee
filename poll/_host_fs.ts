/**
 * The one place that asks the host runtime about a path without following
 * a symlink (`lstat`): Deno's `lstatSync`, Node's and Bun's `node:fs`
 * (loaded on first use, so Deno never loads it). `struct stat` differs per
 * OS and libc, which is why this is not an FFI call.
 *
 * @module
 */

import { nodeRequire } from "./_node_require.ts";
import { runtime } from "./_runtime.ts";

/** What we read of a path. @internal */
export interface PathInfo {
  /** The inode number (`null` where the host has none to give). */
  readonly ino: number | null;
  /** Whether it is a socket. */
  readonly isSocket: boolean;
}

interface NodeStats {
  readonly ino: number;
  isSocket(): boolean;
}

let fs: { lstatSync(path: string): NodeStats } | null = null;

/**
 * `lstat(path)`, or `null` when there is nothing there (or it cannot be
 * read: the caller then leaves the path alone). @internal
 */
export function lstatPath(path: string): PathInfo | null {
  try {
    if (runtime === "deno") {
      const info = Deno.lstatSync(path);
      return { ino: info.ino, isSocket: info.isSocket === true };
    }
    fs ??= nodeRequire("node:fs") as typeof fs;
    const st = fs!.lstatSync(path);
    return { ino: st.ino, isSocket: st.isSocket() };
  } catch {
    return null;
  }
}
