/**
 * The one place where `-1` + errno becomes a typed error, and `EINTR`
 * becomes a retry.
 *
 * @module
 */

import { errno } from "./_libc.ts";
import { errnoOf, fromErrno } from "./errors.ts";

/** errno value of EINTR on this OS. @internal */
export const EINTR: number = errnoOf("EINTR");
/** errno value of EAGAIN on this OS. @internal */
export const EAGAIN: number = errnoOf("EAGAIN");

/**
 * Return `ret`, or throw the typed error for errno if it is -1.
 * @internal
 */
export function check(ret: number, syscall: string, fd?: number): number {
  if (ret === -1) throw fromErrno(errno(), syscall, fd);
  return ret;
}

/**
 * Call `fn` until it does not fail with EINTR; then as `check`.
 * @internal
 */
export function retry(fn: () => number, syscall: string, fd?: number): number {
  for (;;) {
    const ret = fn();
    if (ret !== -1) return ret;
    const e = errno();
    if (e !== EINTR) throw fromErrno(e, syscall, fd);
  }
}

/**
 * A wait with a deadline: retry on EINTR with the time that remains.
 * `call(t)` gets the remaining timeout in seconds (null: forever).
 * @internal
 */
export function waitRetry(
  timeout: number | null,
  call: (t: number | null) => number,
  syscall: string,
  fd?: number,
  failedOnce = false,
): number {
  const deadline = timeout === null ? 0 : performance.now() + timeout * 1000;
  let t = timeout;
  for (;;) {
    // `failedOnce`: the caller already made the first call, which failed.
    const ret = failedOnce ? -1 : call(t);
    failedOnce = false;
    if (ret !== -1) return ret;
    const e = errno();
    if (e !== EINTR) throw fromErrno(e, syscall, fd);
    if (timeout !== null) {
      t = Math.max(0, (deadline - performance.now()) / 1000);
    }
  }
}
