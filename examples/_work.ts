/**
 * Work for the examples and the documentation: small exported functions,
 * each with its typed work reference made once next to it, as a program
 * would write them.
 *
 * @module
 */

// The work module is loaded in every worker: import only what it needs.
import { work } from "../executors/work.ts";

/** Naive Fibonacci: CPU-bound on purpose. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
/** `fib` as work for an executor. */
export const fibWork = work<typeof fib>(import.meta.url, "fib");

/** `a + b`. */
export function add(a: number, b: number): number {
  return a + b;
}
/** `add` as work. */
export const addWork = work<typeof add>(import.meta.url, "add");

/** `n * n`. */
export function square(n: number): number {
  return n * n;
}
/** `square` as work. */
export const squareWork = work<typeof square>(import.meta.url, "square");

/** A blocking call: sleeps `ms` milliseconds, blocking its thread. */
export function blockingSleep(ms: number): number {
  const end = Date.now() + ms;
  const i32 = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(i32, 0, 0, ms);
  while (Date.now() < end) { /* spin the rest, if woken early */ }
  return ms;
}
/** `blockingSleep` as work. */
export const blockingSleepWork = work<typeof blockingSleep>(
  import.meta.url,
  "blockingSleep",
);

/** The sum of the bytes of `bytes`. */
export function byteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i];
  return sum;
}
/** `byteSum` as work. */
export const byteSumWork = work<typeof byteSum>(import.meta.url, "byteSum");
