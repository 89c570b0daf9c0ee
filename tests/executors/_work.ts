/**
 * Work for the executor tests: each function exported with its typed
 * reference. Loaded in pool threads (and child processes).
 *
 * @module
 */

import { work } from "../../executors/work.ts";
import { sleep } from "../../futures/sleep.ts";
import { FileNotFoundError } from "../../poll/errors.ts";
import { Wakeup } from "../../poll/wakeup.ts";
import { transfer } from "../../executors/transfer.ts";
import { runCoroutineThreadsafe } from "../../executors/threadsafe.ts";
import type { RemoteLoop } from "../../executors/loop_port.ts";
import { CancelledError } from "../../futures/errors.ts";

const here = import.meta.url;

/** Its argument back. */
export function echo<T>(x: T): T {
  return x;
}
export const echoWork = work<(x: unknown) => unknown>(here, "echo");

/** `a + b`. */
export function add(a: number, b: number): number {
  return a + b;
}
export const addWork = work<typeof add>(here, "add");

/** Naive Fibonacci. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
export const fibWork = work<typeof fib>(here, "fib");

let calls = 0;
/** How many times this was called in this worker (1 on its first call). */
export function count(): number {
  return ++calls;
}
export const countWork = work<typeof count>(here, "count");

/** Throws a RangeError. */
export function failRange(msg: string): never {
  throw new RangeError(msg);
}
export const failRangeWork = work<typeof failRange>(here, "failRange");

/** Throws one of this module's OS errors. */
export function failOs(): never {
  throw new FileNotFoundError(2, undefined, { syscall: "open" });
}
export const failOsWork = work<typeof failOs>(here, "failOs");

class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}
/** Throws a class the caller does not know. */
export function failCustom(): never {
  throw new ParseError("bad token");
}
export const failCustomWork = work<typeof failCustom>(here, "failCustom");

/** Blocks this thread until `flag[0]` becomes non-zero; returns it. */
export function waitFlag(flag: Int32Array): number {
  while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000);
  return Atomics.load(flag, 0);
}
export const waitFlagWork = work<typeof waitFlag>(here, "waitFlag");

/** Kills its thread: an error escapes outside the job. */
export function crash(): number {
  setTimeout(() => {
    throw new Error("worker blew up");
  }, 0);
  return new Promise<number>(() => {}) as unknown as number;
}
export const crashWork = work<typeof crash>(here, "crash");

let initValue: string | null = null;
/** Initializer: remembers `v`. */
export function init(v: string): void {
  initValue = v;
}
export const initWork = work<typeof init>(here, "init");
/** Initializer that fails. */
export function initFail(): void {
  throw new TypeError("no config");
}
export const initFailWork = work<typeof initFail>(here, "initFail");
/** What the initializer set. */
export function getInit(): string | null {
  return initValue;
}
export const getInitWork = work<typeof getInit>(here, "getInit");

/** A generator coroutine run on the worker's own loop. */
export function* sleepy(n: number): Generator<unknown, number, unknown> {
  yield* sleep(0.001);
  return n * 2;
}
export const sleepyWork = work<typeof sleepy>(here, "sleepy");

/** An async function using this module's sleep on the worker's loop. */
export async function sleepyAsync(n: number): Promise<number> {
  await sleep(0.001);
  return n * 3;
}
export const sleepyAsyncWork = work<typeof sleepyAsync>(here, "sleepyAsync");

/** Returns something that cannot be cloned. */
export function unclonable(): unknown {
  return () => 1;
}
export const unclonableWork = work<typeof unclonable>(here, "unclonable");

/** Rings a wake-up fd from the pool thread. */
export function ring(fd: number): boolean {
  Wakeup.signalFd(fd);
  return true;
}
export const ringWork = work<typeof ring>(here, "ring");

/** The process id of the worker (the same in threads, different in children). */
export function pid(): number {
  return Deno.pid;
}
export const pidWork = work<typeof pid>(here, "pid");

export const missingExportWork = work<() => void>(here, "noSuchExport");
export const missingModuleWork = work<() => void>(
  new URL("./_no_such_module.ts", here),
  "f",
);

/** `n` bytes of `value`, moved (not copied) back to the caller. */
export function filled(n: number, value: number): Uint8Array {
  return transfer(new Uint8Array(n).fill(value));
}
export const filledWork = work<typeof filled>(here, "filled");

/** What the thread saw of `bytes`: its length and sum. */
export function inspect(bytes: Uint8Array): [number, number] {
  let sum = 0;
  for (const b of bytes) sum += b;
  return [bytes.byteLength, sum];
}
export const inspectWork = work<typeof inspect>(here, "inspect");

/** `bytes` back, moved, with each byte incremented. */
export function bump(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) bytes[i]++;
  return transfer(bytes);
}
export const bumpWork = work<typeof bump>(here, "bump");

// ---- run on the test's loop through a LoopPort, asked from a thread ----

/** On the loop: `a * b` after a sleep. */
export function* mulLater(a: number, b: number): Generator<unknown, number> {
  yield* sleep(0.001);
  return a * b;
}
export const mulLaterWork = work<typeof mulLater>(here, "mulLater");

/** On the loop: throws a RangeError after a sleep. */
export async function failLater(msg: string): Promise<never> {
  await sleep(0.001);
  throw new RangeError(msg);
}
export const failLaterWork = work<typeof failLater>(here, "failLater");

let remoteCancelled = false;
/** On the loop: sleeps for good; records its cancellation. */
export function* sleepForever(): Generator<unknown, void> {
  try {
    yield* sleep(3600);
  } catch (err) {
    remoteCancelled = err instanceof CancelledError;
    throw err;
  }
}
export const sleepForeverWork = work<typeof sleepForever>(here, "sleepForever");
/** Whether `sleepForever` was cancelled (read on the loop's thread). */
export function wasRemoteCancelled(): boolean {
  return remoteCancelled;
}

/** On a thread: `mulLater(a, b)` on the loop at the other end of `remote`. */
export async function askMul(
  remote: RemoteLoop,
  a: number,
  b: number,
): Promise<number> {
  return await runCoroutineThreadsafe(mulLaterWork, remote, a, b);
}
export const askMulWork = work<typeof askMul>(here, "askMul");

/** On a thread, from plain code (no loop): as `askMul`. */
export function askMulPlain(
  remote: RemoteLoop,
  a: number,
  b: number,
): Promise<number> {
  return Promise.resolve(runCoroutineThreadsafe(mulLaterWork, remote, a, b));
}
export const askMulPlainWork = work<typeof askMulPlain>(here, "askMulPlain");

/** On a thread: the error `failLater` raised on the loop, as name: message. */
export async function askFail(remote: RemoteLoop): Promise<string> {
  try {
    await runCoroutineThreadsafe(failLaterWork, remote, "too far");
    return "no error";
  } catch (err) {
    return `${err instanceof RangeError ? "RangeError" : "other"}: ${
      (err as Error).message
    }`;
  }
}
export const askFailWork = work<typeof askFail>(here, "askFail");

/** On a thread: start `sleepForever` on the loop, then cancel it. */
export function* askAndCancel(remote: RemoteLoop): Generator<unknown, string> {
  const fut = runCoroutineThreadsafe(sleepForeverWork, remote);
  yield* sleep(0.05);
  fut.cancel();
  try {
    yield* fut;
    return "not cancelled";
  } catch (err) {
    return err instanceof CancelledError ? "cancelled" : String(err);
  }
}
export const askAndCancelWork = work<typeof askAndCancel>(here, "askAndCancel");

/** Sets `flag[0]` from a timer of this thread, after returning. */
export function setFlagLater(flag: Int32Array): boolean {
  setTimeout(() => Atomics.store(flag, 0, 1), 0);
  return true;
}
export const setFlagLaterWork = work<typeof setFlagLater>(here, "setFlagLater");
