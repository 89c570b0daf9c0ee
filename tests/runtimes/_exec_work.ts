/**
 * Work for `executors_smoke.ts`, bundled on its own (`exec_work.mjs`): a
 * pool thread or process imports it by URL, so it must not be the smoke
 * program itself.
 *
 * @module
 */

import { transfer } from "../../executors/transfer.ts";

/** `n * n`. */
export function square(n: number): number {
  return n * n;
}

/** Naive Fibonacci. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Throws a RangeError. */
export function failRange(msg: string): never {
  throw new RangeError(msg);
}

/** The length and sum of `bytes`, and `bytes` back, moved. */
export function bump(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) bytes[i]++;
  return transfer(bytes);
}

/** The runtime the work ran on, as the host adapter sees it. */
export function where(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}
