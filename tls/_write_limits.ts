/**
 * Write-buffer limits of a TLS app transport, as asyncio computes them
 * (`high` defaults to 64 KiB or 4x `low`, `low` to a quarter of `high`).
 *
 * @module
 */

/**
 * `[high, low]` from what the caller gave.
 *
 * @throws {RangeError} unless high >= low >= 0.
 * @internal
 */
export function writeLimits(high?: number, low?: number): [number, number] {
  const h = high ?? (low !== undefined ? 4 * low : 64 * 1024);
  const l = low ?? Math.floor(h / 4);
  if (!(h >= l && l >= 0)) {
    throw new RangeError(
      `Cannot set write buffer limits: high (${h}) must be >= low (${l}) >= 0`,
    );
  }
  return [h, l];
}
