/**
 * The one place where `-1` + errno becomes a typed error, and `EINTR`
 * becomes a retry.
 *
 * Callers make the first call themselves and come here only when it returned
 * -1, so the common path creates no closure: `retry` and `waitRetry` take a
 * function that the caller built once (a field), not one per call.
 *
 * @module
 */

import { errno } from "./_libc.ts";
import { monotonic } from "./clock.ts";
import { errnoOf, fromErrno } from "./errors.ts";

/** errno value of EINTR on this OS. @internal */
export const EINTR: number = errnoOf("EINTR");
/** errno value of EAGAIN on this OS. @internal */
export const EAGAIN: number = errnoOf("EAGAIN");
/** errno value of EBADF on this OS. @internal */
export const EBADF: number = errnoOf("EBADF");

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
 * A wait with a deadline, retried on EINTR with the time that remains (as
 * Python does since PEP 475). `call(t)` waits at most `t` seconds (null:
 * forever) and returns the syscall's result.
 *
 * @throws {OSError} for any failure but EINTR.
 * @internal
 */
export function waitRetry(
  timeout: number | null,
  call: (t: number | null) => number,
  syscall: string,
  fd?: number,
): number {
  // Only a positive finite timeout needs a deadline: a poll (0) and a wait
  // forever (null) are retried with the same argument.
  const deadline = timeout !== null && timeout > 0 ? monotonic() + timeout : 0;
  let t = timeout;
  for (;;) {
    const ret = call(t);
    if (ret !== -1) return ret;
    const e = errno();
    if (e !== EINTR) throw fromErrno(e, syscall, fd);
    if (deadline !== 0) t = Math.max(0, deadline - monotonic());
  }
}
