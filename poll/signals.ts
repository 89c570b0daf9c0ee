/**
 * Signal numbers by name for this OS, as Python's `signal.SIGTERM`:
 * `signalNumber("SIGTERM")`, `signalName(15)`.
 *
 * @module
 */

import { os } from "./_libc.ts";

// [name, Linux number, macOS/BSD number]. Numbers from Linux
// <asm-generic/signal.h> (x86, arm, arm64, riscv) and macOS <sys/signal.h>.
const TABLE: Array<[string, number, number]> = [
  ["SIGHUP", 1, 1],
  ["SIGINT", 2, 2],
  ["SIGQUIT", 3, 3],
  ["SIGILL", 4, 4],
  ["SIGTRAP", 5, 5],
  ["SIGABRT", 6, 6],
  ["SIGBUS", 7, 10],
  ["SIGFPE", 8, 8],
  ["SIGKILL", 9, 9],
  ["SIGUSR1", 10, 30],
  ["SIGSEGV", 11, 11],
  ["SIGUSR2", 12, 31],
  ["SIGPIPE", 13, 13],
  ["SIGALRM", 14, 14],
  ["SIGTERM", 15, 15],
  ["SIGCHLD", 17, 20],
  ["SIGCONT", 18, 19],
  ["SIGSTOP", 19, 17],
  ["SIGTSTP", 20, 18],
  ["SIGTTIN", 21, 21],
  ["SIGTTOU", 22, 22],
  ["SIGURG", 23, 16],
  ["SIGXCPU", 24, 24],
  ["SIGXFSZ", 25, 25],
  ["SIGVTALRM", 26, 26],
  ["SIGPROF", 27, 27],
  ["SIGWINCH", 28, 28],
  ["SIGIO", 29, 23],
  ["SIGSYS", 31, 12],
];

const LINUX = os === "linux" || os === "android";
const byName = new Map<string, number>();
const byNumber = new Map<number, string>();
for (const [name, linux, bsd] of TABLE) {
  const n = LINUX ? linux : bsd;
  byName.set(name, n);
  byNumber.set(n, name);
}

/**
 * The number of signal `sig` on this OS: a name (`"SIGTERM"`) is looked up,
 * a number is checked and returned.
 *
 * @throws {TypeError} for an unknown name, or a value that is neither.
 * @throws {RangeError} for a number outside 1..64.
 *
 * @example
 * ```ts
 * import { signalNumber } from "./signals.ts";
 * import assert from "node:assert/strict";
 * assert.equal(signalNumber("SIGTERM"), 15);
 * assert.equal(signalNumber(9), 9);
 * ```
 */
export function signalNumber(sig: string | number): number {
  if (typeof sig === "number") {
    if (!Number.isInteger(sig) || sig < 1 || sig > 64) {
      throw new RangeError(
        `Cannot use signal ${sig}: signal numbers are integers from 1 to 64`,
      );
    }
    return sig;
  }
  if (typeof sig === "string") {
    const n = byName.get(sig);
    if (n !== undefined) return n;
    throw new TypeError(
      `Cannot use signal "${sig}": unknown name, use one like "SIGTERM"`,
    );
  }
  throw new TypeError(
    `Cannot use signal ${String(sig)}: expected a name or a number`,
  );
}

/**
 * The name of signal number `n` on this OS, or undefined if it has none
 * here (real-time signals).
 *
 * @example
 * ```ts
 * import { signalName } from "./signals.ts";
 * import assert from "node:assert/strict";
 * assert.equal(signalName(2), "SIGINT");
 * ```
 */
export function signalName(n: number): string | undefined {
  return byNumber.get(n);
}
