/**
 * The polling functions at work: one pipe per selector, data written, and
 * readiness reported as it arrives; then which selector is the default here.
 *
 * @module
 */

import {
  close,
  defaultSelectorName,
  EpollSelector,
  EVENT_READ,
  KqueueSelector,
  pipe,
  PollSelector,
  read,
  type Selector,
  SelectSelector,
  write,
} from "../mod.ts";

/** Show each selector waiting for a pipe, then the default and why. */
export function pollDemo(): void {
  console.log("== selectors: waiting for a pipe to become readable ==");
  const kinds: Array<[string, () => Selector<string>]> = [
    ["select", () => new SelectSelector<string>()],
    ["poll", () => new PollSelector<string>()],
  ];
  if (Deno.build.os === "linux") {
    kinds.push(["epoll", () => new EpollSelector<string>()]);
  }
  if (Deno.build.os === "darwin" || Deno.build.os === "freebsd") {
    kinds.push(["kqueue", () => new KqueueSelector<string>()]);
  }
  for (const [name, make] of kinds) {
    const [r, w] = pipe();
    const sel = make();
    try {
      sel.register(r, EVENT_READ, `pipe ${r}`);
      const before = sel.select(0).length;
      write(w, new TextEncoder().encode(name));
      const ready = sel.select(1);
      const buf = new Uint8Array(16);
      const n = read(r, buf);
      console.log(
        `  ${
          name.padEnd(6)
        } before write: ${before} ready; after: ${ready.length} ready (${
          ready[0][0].data
        }), read "${new TextDecoder().decode(buf.subarray(0, n))}"`,
      );
    } finally {
      sel.close();
      close(r);
      close(w);
    }
  }
  const { name, reason } = defaultSelectorName();
  console.log(`  DefaultSelector here is ${name}: ${reason}`);
}

if (import.meta.main) pollDemo();
