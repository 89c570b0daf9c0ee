/**
 * The encoding of pool messages in shared memory (see `_mailbox.ts`). The
 * common messages — a job whose arguments are primitives, a result that is
 * one — get a compact form read and written field by field, which costs a
 * fraction of V8's serializer (node:v8's `serialize` plus `deserialize`
 * took 5-20 µs a message here, most of a thread round trip). Other jobs
 * are not encoded (they go by postMessage, which shares a
 * SharedArrayBuffer where V8's serializer would copy it); other replies
 * are V8's structured-clone bytes.
 *
 * Layout, little-endian: byte 0 the form; a compact job is
 * `[1, 0, nargs u16, id f64, moduleUrl, exportName, ...args]`, a compact
 * result `[2, 0, 0, 0, id f64, value]`; a V8 message is `[0, 0, 0, 0,
 * ...bytes]`. A value is a tag byte (undefined, null, false, true, number
 * f64, string) and, for a string, its length in UTF-16 units (u32) then the
 * units.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";
import type { FromWorker, ToWorker, WorkRef } from "./_wire.ts";

const V8 = 0;
const JOB = 1;
const OK = 2;

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_STRING = 5;

// A compact job has at most this many arguments, strings at most this many
// units; beyond, V8's serializer is as fast.
const MAX_ARGS = 16;
const MAX_UNITS = 4096;

// Strings go through an unshared, aligned buffer: String.fromCharCode
// cannot read shared memory, and a DataView per unit is slower.
const units = new Uint16Array(MAX_UNITS);
const unitBytes = new Uint8Array(units.buffer);

/** A message encoder/decoder over one region of (shared) memory. @internal */
export class Codec {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;

  /** Work on `bytes` (a view of shared memory). */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /**
   * Write `msg`; returns its length, or -1 if it does not fit (nothing
   * else changed). Throws, as postMessage does, if it cannot be cloned.
   */
  encode(msg: ToWorker | FromWorker): number {
    if (msg.t !== "job" && msg.t !== "ok" && msg.t !== "err") return -1;
    if (msg.t === "job") {
      // Only compact jobs: V8's serializer would copy what postMessage
      // shares (a SharedArrayBuffer an argument views).
      return msg.work.kind === "module"
        ? this.#job(msg.id, msg.work, msg.args)
        : -1;
    }
    if (msg.t === "ok") {
      const v = this.#value(12, msg.value);
      if (v >= 0) {
        this.#head(OK, 0);
        this.#view.setFloat64(4, msg.id, true);
        return v;
      }
    }
    const body = serialize(msg);
    if (body.length + 4 > this.#bytes.length) return -1;
    this.#head(V8, 0);
    this.#bytes.set(body, 4);
    return body.length + 4;
  }

  /** Read the message of `length` bytes written by `encode`. */
  decode(length: number): ToWorker | FromWorker {
    const form = this.#bytes[0];
    if (form === V8) return deserialize(this.#bytes.slice(4, length));
    if (form === OK) {
      return {
        t: "ok",
        id: this.#view.getFloat64(4, true),
        value: this.#read(12)[0],
      };
    }
    const nargs = this.#view.getUint16(2, true);
    const id = this.#view.getFloat64(4, true);
    let [moduleUrl, at] = this.#read(12);
    let exportName: unknown;
    [exportName, at] = this.#read(at);
    const args: unknown[] = new Array(nargs);
    for (let i = 0; i < nargs; i++) [args[i], at] = this.#read(at);
    return {
      t: "job",
      id,
      work: {
        kind: "module",
        moduleUrl: moduleUrl as string,
        exportName: exportName as string,
      },
      args,
      fast: true,
    };
  }

  #head(form: number, nargs: number): void {
    this.#bytes[0] = form;
    this.#bytes[1] = 0;
    this.#view.setUint16(2, nargs, true);
  }

  #job(id: number, work: WorkRef, args: unknown[]): number {
    if (args.length > MAX_ARGS) return -1;
    this.#view.setFloat64(4, id, true);
    let at = this.#value(12, work.moduleUrl);
    if (at >= 0) at = this.#value(at, work.exportName);
    for (let i = 0; i < args.length && at >= 0; i++) {
      at = this.#value(at, args[i]);
    }
    if (at < 0) return -1;
    this.#head(JOB, args.length);
    return at;
  }

  /** Write `v` at `at`; the end, or -1 if it is not compact or does not fit. */
  #value(at: number, v: unknown): number {
    const bytes = this.#bytes;
    if (at + 9 > bytes.length) return -1;
    switch (typeof v) {
      case "number":
        bytes[at] = T_NUMBER;
        this.#view.setFloat64(at + 1, v, true);
        return at + 9;
      case "string": {
        const n = v.length;
        const end = at + 5 + 2 * n;
        if (n > MAX_UNITS || end > bytes.length) return -1;
        bytes[at] = T_STRING;
        this.#view.setUint32(at + 1, n, true);
        for (let i = 0; i < n; i++) units[i] = v.charCodeAt(i);
        bytes.set(unitBytes.subarray(0, 2 * n), at + 5);
        return end;
      }
      case "boolean":
        bytes[at] = v ? T_TRUE : T_FALSE;
        return at + 1;
      case "undefined":
        bytes[at] = T_UNDEFINED;
        return at + 1;
      default:
        if (v !== null) return -1;
        bytes[at] = T_NULL;
        return at + 1;
    }
  }

  /** The value at `at` and where the next one starts. */
  #read(at: number): [unknown, number] {
    switch (this.#bytes[at]) {
      case T_NUMBER:
        return [this.#view.getFloat64(at + 1, true), at + 9];
      case T_STRING: {
        const n = this.#view.getUint32(at + 1, true);
        unitBytes.set(this.#bytes.subarray(at + 5, at + 5 + 2 * n));
        return [stringOf(n), at + 5 + 2 * n];
      }
      case T_TRUE:
        return [true, at + 1];
      case T_FALSE:
        return [false, at + 1];
      case T_NULL:
        return [null, at + 1];
      default:
        return [undefined, at + 1];
    }
  }
}

function stringOf(n: number): string {
  let s = "";
  // fromCharCode.apply takes its arguments on the stack: a chunk at a time.
  for (let i = 0; i < n; i += 1024) {
    s += String.fromCharCode.apply(
      null,
      units.subarray(i, Math.min(n, i + 1024)) as unknown as number[],
    );
  }
  return s;
}
