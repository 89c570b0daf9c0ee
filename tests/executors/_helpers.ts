/**
 * Helpers for executor tests: a flag to hold a pool thread.
 *
 * Thread-pool tests run without the fd census of tests/poll: Deno opens an
 * eventfd and an epoll fd for each Worker's runtime and closes them on its
 * own schedule (here a terminated Worker's pair was still open 28 s later,
 * until later Workers came and went; the same with bare Workers), so a
 * census, even one that waits for fds to settle, cannot tell them from
 * ours — and the test permissions cannot read `/proc/self/fd` links to
 * tell them apart by kind. The pool opens no fd of its own but the
 * process-wide doorbell, opened here first.
 *
 * @module
 */

import { doorbellWriteFd } from "../../executors/_doorbell.ts";

// The process-wide doorbell stays open for good: open it before counting.
doorbellWriteFd();

/** A flag a pool thread can block on (`waitFlag`) until `release()`. */
export function flag(): { flag: Int32Array; release(): void } {
  const f = new Int32Array(new SharedArrayBuffer(4));
  return {
    flag: f,
    release() {
      Atomics.store(f, 0, 1);
      Atomics.notify(f, 0);
    },
  };
}
