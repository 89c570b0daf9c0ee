/**
 * Where received bytes go, so that what a protocol is handed stays valid
 * for as long as it is held and costs as little as possible.
 *
 * - `receiveTarget(most)` / `keepTarget(n)`: the receive itself goes into
 *   the free tail of a 256 KiB receive slab. A large read (over 4 KiB) is
 *   handed out as a view of the slab, and the slab moves past it: no copy,
 *   no buffer of its own. A small read is copied into a small slab (below)
 *   and its place in the receive slab is received into again.
 * - `keepReceived(src, n)`: a copy of bytes received elsewhere. A small
 *   read is copied into the free tail of a 64 KiB slab and handed out as a
 *   view of it; a large one gets its own buffer.
 *
 * Why: every `slice()` is a new ArrayBuffer: a `calloc` that zeroes it, the
 * copy, V8's backing-store bookkeeping and a `free` when the GC sweeps it.
 * Measured here: ~0.5-1 µs for 1 KiB, ~2.3 µs for 10 KiB (a sixth of all
 * the CPU a 10 KiB streams echo costs), ~10 µs for 64 KiB. A view of a slab
 * costs ~0.1-0.2 µs, and one zeroed slab serves many reads. Views never
 * overlap and a slab's bytes are never received into twice once handed
 * out, so the data stays valid for as long as it is held. The price: one
 * view held keeps its whole slab alive (64 KiB for a small read, 256 KiB
 * for a large one, at most 64 times the read), as Node's pooled Buffers do.
 *
 * @module
 */

/** Bytes of one small-read slab. */
const SLAB_SIZE = 64 * 1024;
/**
 * Reads up to this size are copied into small slabs: the copy is cheaper
 * than the receive-slab space they would keep alive.
 */
const SMALL = 4 * 1024;
/** Bytes of one receive slab. */
const RECEIVE_SLAB_SIZE = 256 * 1024;
/**
 * A receive slab with less free than this is left: a receive into a short
 * tail would be a short read.
 */
const MIN_FREE = 32 * 1024;

let slab = new Uint8Array(0);
let used = 0;

let receiveSlab = new Uint8Array(0);
let receiveUsed = 0;
// The view receiveTarget() handed out last, valid until keepTarget()
// consumes it (the same view serves every read that stays small).
let target = new Uint8Array(0);
let targetLen = 0n;
let targetValid = false;

/**
 * A copy of `src[0..n)` that stays valid after `src` is reused. Its
 * `buffer` may be shared with other reads' copies (a slab): use
 * `byteOffset`/`length`, never the whole `buffer`.
 * @internal
 */
export function keepReceived(src: Uint8Array, n: number): Uint8Array {
  if (n > SMALL) return src.slice(0, n);
  return copySmall(src, n);
}

function copySmall(src: Uint8Array, n: number): Uint8Array {
  let off = used;
  if (off + n > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    off = 0;
  }
  used = off + n;
  const out = slab.subarray(off, off + n);
  out.set(n === src.length ? src : src.subarray(0, n));
  return out;
}

/**
 * Where the next receive goes: a view of the free tail of the receive slab,
 * at most `most` bytes (and at least 1). Pass it to one receive, then call
 * `keepTarget(n)` with the count received, before anything else receives.
 * If nothing was received, skip `keepTarget`: the view is handed out again.
 * @internal
 */
export function receiveTarget(most: number): Uint8Array {
  let free = receiveSlab.length - receiveUsed;
  if (free < MIN_FREE) {
    receiveSlab = new Uint8Array(RECEIVE_SLAB_SIZE);
    receiveUsed = 0;
    free = RECEIVE_SLAB_SIZE;
    targetValid = false;
  }
  const len = most < free ? (most < 1 ? 1 : most) : free;
  if (!targetValid || len !== target.length) {
    if (len !== target.length) targetLen = BigInt(len);
    target = receiveSlab.subarray(receiveUsed, receiveUsed + len);
    targetValid = true;
  }
  return target;
}

/** `receiveTarget()`'s length as a bigint (FFI's size argument). @internal */
export function receiveTargetLen(): bigint {
  return targetLen;
}

/**
 * The `n` bytes just received into `receiveTarget()`'s view, kept: valid
 * for as long as they are held, with the same caveat on `buffer` as
 * `keepReceived`.
 * @internal
 */
export function keepTarget(n: number): Uint8Array {
  if (n <= SMALL) return copySmall(target, n);
  const out = n === target.length
    ? target
    : receiveSlab.subarray(receiveUsed, receiveUsed + n);
  receiveUsed += n;
  targetValid = false;
  return out;
}
