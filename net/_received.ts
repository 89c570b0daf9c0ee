/**
 * `keepReceived`: the copy of freshly received bytes that a protocol is
 * handed and may keep. A small read is copied into the free tail of a
 * 64 KiB slab and handed out as a view of it; a large one gets its own
 * buffer.
 *
 * Why: every `slice()` is a new ArrayBuffer, i.e. a `calloc` plus V8's
 * backing-store bookkeeping and a `free` when the GC sweeps it, ~0.5-1 µs
 * for 1 KiB here, a seventh of the whole CPU an echo request costs; a view
 * of a slab costs ~0.1-0.2 µs and one allocation serves many reads. Views
 * never overlap and a slab's bytes are never reused, so the data stays
 * valid for as long as it is held. Holding one small view keeps its 64 KiB
 * slab alive: no worse than a view of a large read, which keeps all of its
 * up to 256 KiB. (Node pools small Buffers the same way.)
 *
 * @module
 */

/** Bytes of one slab. */
const SLAB_SIZE = 64 * 1024;
/**
 * Reads up to this size share slabs; larger ones get their own buffer.
 * Past ~4 KiB the zeroing of the slab (V8 zeroes every new ArrayBuffer)
 * costs as much as the allocation it saves (measured from 1 to 32 KiB).
 */
const SMALL = 4 * 1024;

let slab = new Uint8Array(0);
let used = 0;

/**
 * A copy of `src[0..n)` that stays valid after `src` is reused. Its
 * `buffer` may be shared with other reads' copies (a slab): use
 * `byteOffset`/`length`, never the whole `buffer`.
 * @internal
 */
export function keepReceived(src: Uint8Array, n: number): Uint8Array {
  if (n > SMALL) return src.slice(0, n);
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
