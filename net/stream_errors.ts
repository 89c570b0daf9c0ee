/**
 * The two errors a `StreamReader` raises about the data itself:
 * `IncompleteReadError` (the stream ended first) and `LimitOverrunError`
 * (a separator was not found within the reader's limit), with asyncio's
 * attributes.
 *
 * @module
 */

/**
 * The stream ended before a read could complete: `readexactly(n)` got fewer
 * than `n` bytes, or `readuntil()` found no separator before EOF.
 *
 * asyncio's class derives from `EOFError`; JavaScript has none, so this
 * derives from `Error`.
 *
 * @example
 * ```ts
 * import { IncompleteReadError } from "./stream_errors.ts";
 * import assert from "node:assert/strict";
 * const err = new IncompleteReadError(new Uint8Array(3), 10);
 * assert.equal(err.partial.length, 3);
 * assert.equal(err.expected, 10);
 * assert.equal(err.message, "3 bytes read on a total of 10 expected bytes");
 * ```
 */
export class IncompleteReadError extends Error {
  /** The bytes read before the end of the stream. */
  readonly partial: Uint8Array;
  /** How many bytes were expected, or null when unknown (`readuntil`). */
  readonly expected: number | null;

  /**
   * Create the error.
   *
   * @param partial The bytes read before the end of the stream.
   * @param expected The number of bytes expected, or null when unknown.
   */
  constructor(partial: Uint8Array, expected: number | null) {
    super(
      `${partial.length} bytes read on a total of ${
        expected === null ? "an unknown number of" : expected
      } expected bytes`,
    );
    this.name = "IncompleteReadError";
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * The reader's limit was reached while looking for a separator. The data
 * stays in the reader's buffer (`readuntil`) so it can be read otherwise;
 * `consumed` says how many bytes are to be consumed.
 *
 * @example
 * ```ts
 * import { LimitOverrunError } from "./stream_errors.ts";
 * import assert from "node:assert/strict";
 * const err = new LimitOverrunError("Separator is not found", 65537);
 * assert.equal(err.consumed, 65537);
 * ```
 */
export class LimitOverrunError extends Error {
  /** The number of bytes to be consumed (where the search stopped). */
  readonly consumed: number;

  /**
   * Create the error.
   *
   * @param message What was over the limit.
   * @param consumed The number of bytes to be consumed.
   */
  constructor(message: string, consumed: number) {
    super(message);
    this.name = "LimitOverrunError";
    this.consumed = consumed;
  }
}
