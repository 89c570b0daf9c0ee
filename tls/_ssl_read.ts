/**
 * The read side of the SSL protocol: decrypt every complete record buffered
 * in an SSLObject and hand the plaintext to the application, as copies
 * (`Protocol`) or into its own buffers (`BufferedProtocol`).
 *
 * @module
 */

import type { BufferedProtocol, Protocol } from "../net/types.ts";
import { keepReceived } from "../net/_received.ts";
import type { SSLObject } from "./ssl_object.ts";
import * as tlsKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _readInto: typeof tlsKeys._readInto = tlsKeys._readInto;

const READ_CHUNK = 256 * 1024;
// One buffer for every connection's decrypted reads: JS is one thread, and
// what we hand out is copied (small reads into a shared slab, as the socket
// transports do: a new ArrayBuffer per read costs more than the copy).
const readBuf = new Uint8Array(READ_CHUNK);

/**
 * Read what is buffered and call `dataReceived` with copies (one call per
 * 256 KiB at most); true when the peer's `close_notify` was read.
 * @internal
 */
export function readCopied(obj: SSLObject, app: Protocol): boolean {
  let off = 0;
  let eof = false;
  for (;;) {
    const n = obj[_readInto](
      off === 0 ? readBuf : readBuf.subarray(off),
      READ_CHUNK - off,
    );
    if (n < 0) break;
    if (n === 0) {
      eof = true;
      break;
    }
    off += n;
    if (off === READ_CHUNK) {
      app.dataReceived(keepReceived(readBuf, off));
      off = 0;
    }
  }
  if (off > 0) app.dataReceived(keepReceived(readBuf, off));
  return eof;
}

/**
 * Read what is buffered into the app's own buffers (zero copy) while
 * `keepReading()`; true when the peer's `close_notify` was read.
 *
 * @throws {Error} when `getBuffer()` returns an empty buffer.
 * @internal
 */
export function readBuffered(
  obj: SSLObject,
  app: BufferedProtocol,
  keepReading: () => boolean,
): boolean {
  for (;;) {
    const buf = app.getBuffer(-1);
    if (buf.length === 0) {
      throw new Error("Cannot read: getBuffer() returned an empty buffer");
    }
    let off = 0;
    let eof = false;
    let more = true;
    while (off < buf.length) {
      const n = obj[_readInto](
        off === 0 ? buf : buf.subarray(off),
        buf.length - off,
      );
      if (n < 0) {
        more = false;
        break;
      }
      if (n === 0) {
        eof = true;
        break;
      }
      off += n;
    }
    if (off > 0) app.bufferUpdated(off);
    if (eof) return true;
    if (!more || !keepReading()) return false;
  }
}
