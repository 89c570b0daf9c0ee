/**
 * `transfer(value)`: send an `ArrayBuffer` (or what views one) to a pool
 * thread, or back from it, by moving it instead of copying it. A copy of a
 * 1 MiB buffer costs more than a millisecond here; a move costs nothing
 * but leaves the sender's buffer detached (length 0).
 *
 * @module
 */

import { Serializer } from "node:v8";
import { runtime } from "../poll/_runtime.ts";

/**
 * What can move to another thread: a buffer, or a `MessagePort` (e.g. a
 * `LoopPort`'s remote end).
 *
 * @example
 * ```ts
 * import type { Movable } from "./transfer.ts";
 * const m: Movable = new ArrayBuffer(8);
 * console.log(m);
 * ```
 */
// MessagePort by the prototype type of the global: on Node that is
// node:worker_threads' port, and no DOM library is needed.
export type Movable = ArrayBuffer | (typeof MessagePort)["prototype"];

/** A value and what moves with it. */
type Marks = WeakMap<object, Movable[]>;

// The marks live on the realm, not in this module: a work module may reach
// this file by another URL (a bundle, a package path) than the pool does.
const KEY = Symbol.for("@seed/asyncio/transfer");
const realm = globalThis as unknown as { [KEY]?: Marks };
const marks: Marks = realm[KEY] ??= new WeakMap();

/**
 * Mark `value` so that the buffers it holds are moved, not copied, when it
 * crosses to a pool thread — as an argument of `submit()`/`toThread()`/
 * `map()`, or as the result of the work (or an element of an array
 * result), returned by `transfer(result)` in the work. After the crossing
 * the sender's buffers are detached (`byteLength` 0) and the receiver owns
 * them. Nothing is moved until the value is sent: a job still queued keeps
 * its buffer.
 *
 * Which buffers move: `value` itself if it is an `ArrayBuffer`, the buffer
 * it views if it is a typed array or `DataView`, or else the `buffers`
 * given (buffers, or `MessagePort`s, which postMessage can only move). A
 * `ProcessPoolExecutor` copies the bytes through its pipe, then
 * detaches the sender's buffers too, so code behaves the same on both
 * pools. Differs from Python (no such thing: threads share memory there).
 *
 * @param value The argument or result to send.
 * @param buffers What to move, when `value` is neither a buffer nor a view
 *   of one (e.g. an object holding several buffers, or a port).
 * @returns `value`, marked.
 * @throws {TypeError} if `value` is not an object, or no buffer is named,
 *   or a buffer is a `SharedArrayBuffer` (shared, never moved).
 *
 * @example
 * ```ts
 * import { run, ThreadPoolExecutor, transfer } from "../mod.ts";
 * import { byteSumWork } from "../examples/_work.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(1 << 20).fill(1);
 * const sum = await run(function* () {
 *   using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 *   return yield* pool.submit(byteSumWork, transfer(bytes));
 * });
 * assert.equal(sum, 1 << 20);
 * assert.equal(bytes.byteLength, 0); // moved, not copied
 * ```
 */
export function transfer<T extends object>(
  value: T,
  buffers?: Movable[],
): T {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `Cannot transfer ${
        value === null ? "null" : typeof value
      }: only an ArrayBuffer, a view of one, or an object with its buffers given can be moved`,
    );
  }
  const list = buffers ??
    (value instanceof ArrayBuffer
      ? [value]
      : ArrayBuffer.isView(value)
      ? [value.buffer as ArrayBuffer]
      : []);
  if (list.length === 0) {
    throw new TypeError(
      "Cannot transfer an object that is neither an ArrayBuffer nor a view of one: name its buffers, transfer(value, [buffer, ...])",
    );
  }
  for (const b of list) {
    if (!(b instanceof ArrayBuffer) && !(b instanceof MessagePort)) {
      throw new TypeError(
        `Cannot transfer ${
          Object.prototype.toString.call(b)
        }: only ArrayBuffers and MessagePorts move (a SharedArrayBuffer is shared without it)`,
      );
    }
  }
  marks.set(value, list);
  return value;
}

/**
 * The buffers to move with `values` (each one marked, or each element of
 * one that is an array), without duplicates; empty if none is marked.
 * @internal
 */
export function _transferList(values: readonly unknown[]): Movable[] {
  let out: Movable[] | null = null;
  const add = (v: unknown): void => {
    if (typeof v !== "object" || v === null) return;
    const list = marks.get(v);
    if (list === undefined) return;
    out ??= [];
    for (const b of list) if (!out.includes(b)) out.push(b);
  };
  for (const v of values) {
    add(v);
    if (Array.isArray(v)) { for (const e of v) add(e); }
  }
  return out ?? [];
}

/**
 * Throw, as postMessage would, if `value` cannot be cloned, without
 * copying or moving `buffers`. Deno's postMessage detaches the buffers of
 * its transfer list even when the message then fails to clone, which would
 * lose the caller's data; Node's and Bun's do not. A dry run of V8's
 * serializer with the buffers marked as transferred costs no copy.
 * @internal
 */
export function _checkMovable(value: unknown, buffers: Movable[]): void {
  // Ports cannot be dry-run (V8's serializer has no place for them).
  if (
    runtime !== "deno" || buffers.length === 0 ||
    buffers.some((b) => !(b instanceof ArrayBuffer))
  ) return;
  const s = new DryRun();
  buffers.forEach((b, i) => s.transferArrayBuffer(i, b as ArrayBuffer));
  s.writeHeader();
  s.writeValue(value);
}

// A SharedArrayBuffer is shared, not serialized: give it an id, as
// postMessage does.
class DryRun extends Serializer {
  #shared = 0;
  _getSharedArrayBufferId(): number {
    return this.#shared++;
  }
}

/** Detach `buffers` (after their bytes were copied elsewhere). @internal */
export function _detach(buffers: Movable[]): void {
  if (buffers.length > 0) structuredClone(buffers, { transfer: buffers });
}
