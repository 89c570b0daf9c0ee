/**
 * `monotonic()`: the kernel's monotonic clock in seconds, read with
 * `clock_gettime(CLOCK_MONOTONIC)` through FFI — Python's `time.monotonic()`,
 * which is what asyncio's `loop.time()` returns. About 2.5x cheaper here than
 * `performance.now()`, and the event loop reads the clock for every timer.
 *
 * @module
 */

import { libc, os } from "./_libc.ts";

// CLOCK_MONOTONIC: <linux/time.h> 1, macOS <time.h> 6, FreeBSD 4, NetBSD 3.
const CLOCK_MONOTONIC = os === "darwin"
  ? 6
  : os === "freebsd"
  ? 4
  : os === "netbsd"
  ? 3
  : 1;

// struct timespec { time_t tv_sec; long tv_nsec; }: two 64-bit fields. Read
// as 32-bit halves (little-endian): seconds since boot fit the low half for
// 68 years, nanoseconds always do, and no BigInt is made.
const ts = new Int32Array(4);
let gettime: ((clock: number, buf: Int32Array) => number) | null = null;

/**
 * Seconds of the monotonic clock (an arbitrary origin, usually boot).
 *
 * @returns Seconds, with nanosecond resolution where the double allows.
 *
 * @example Reading the clock twice
 * ```ts
 * import { monotonic } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const a = monotonic();
 * const b = monotonic();
 * assert.ok(b >= a);
 * ```
 */
export function monotonic(): number {
  (gettime ??= libc().clock_gettime)(CLOCK_MONOTONIC, ts);
  return ts[0] + ts[2] * 1e-9;
}
