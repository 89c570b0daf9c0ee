/**
 * A synchronous `require` for Node and Bun, made on first use, without a
 * static `node:` import (Deno never loads it) and without a bundler's
 * `require` shim: the FFI backends load `koffi` and `bun:ffi` through it
 * when `libc()` is first called, which is synchronous.
 *
 * @module
 */

type Require = (id: string) => unknown;

let req: Require | null = null;

/** `require(id)` relative to this module (or the bundle it is in). @internal */
export function nodeRequire(id: string): unknown {
  if (req === null) {
    const proc = (globalThis as unknown as {
      process?: { getBuiltinModule?: (id: string) => unknown };
    }).process;
    const mod = proc?.getBuiltinModule?.("node:module") as
      | { createRequire(from: string): Require }
      | undefined;
    if (mod === undefined) {
      throw new Error(
        `Cannot load ${id}: process.getBuiltinModule() is missing, use Node >= 20.16 or Bun >= 1.1`,
      );
    }
    req = mod.createRequire(import.meta.url);
  }
  return req(id);
}
