/**
 * `fileno(fileobj)`: the file descriptor of an fd number or of an object
 * with `fileno()`, as Python's selectors accept either.
 *
 * @module
 */

import type { FileObject } from "./types.ts";

/**
 * The fd of `fileobj` (a number, or an object with `fileno()`), checked.
 *
 * @param fileobj An fd number or an object with `fileno()`.
 * @param action What the caller is doing, for the error message.
 * @throws {TypeError} for anything else; {RangeError} for a negative or
 *   non-integer fd.
 *
 * @example A number or an object
 * ```ts
 * import { fileno } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fileno({ fileno: () => 5 }), 5);
 * assert.throws(() => fileno(-1), RangeError);
 * ```
 */
export function fileno(fileobj: FileObject, action: string = "use it"): number {
  let fd: unknown = fileobj;
  if (typeof fileobj === "object" && fileobj !== null) {
    if (typeof fileobj.fileno !== "function") {
      throw new TypeError(
        `Cannot ${action}: expected an fd number or an object with fileno()`,
      );
    }
    fd = fileobj.fileno();
  }
  if (typeof fd !== "number") {
    throw new TypeError(
      `Cannot ${action}: expected an fd number or an object with fileno(), got ${typeof fd}`,
    );
  }
  if (!Number.isInteger(fd) || fd < 0) {
    throw new RangeError(
      `Cannot ${action}: fd must be a non-negative integer, got ${fd}`,
    );
  }
  return fd;
}
