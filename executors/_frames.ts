/**
 * Length-prefixed structured messages over pipes, for pool processes: a
 * 4-byte little-endian length, then the value in V8's structured-clone
 * format (what a Worker's postMessage uses, so the same values cross).
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/** The bytes of one frame carrying `value`; throws if it cannot be cloned. @internal */
export function encodeFrame(value: unknown): Uint8Array {
  const body = serialize(value);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}

/** Collects bytes and hands out the complete frames. @internal */
export class FrameReader {
  #buf = new Uint8Array(0);

  /** Add `chunk`; returns the values of the frames now complete. */
  push(chunk: Uint8Array): unknown[] {
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    const out: unknown[] = [];
    let at = 0;
    while (joined.length - at >= 4) {
      const len = new DataView(joined.buffer, at, 4).getUint32(0, true);
      if (joined.length - at - 4 < len) break;
      out.push(deserialize(joined.subarray(at + 4, at + 4 + len)));
      at += 4 + len;
    }
    this.#buf = joined.slice(at);
    return out;
  }
}
