/**
 * The polling functions at work: each selector available here watches a
 * pipe while a timer writes to it, and reports readiness as the data
 * arrives; then the writer hangs up, select() shows its FD_SETSIZE limit,
 * and the demo says which selector is the default here and why.
 *
 * Run: `npx deno run --allow-ffi --allow-env=ASYNCIO_SELECTOR examples/poll_demo.ts`
 *
 * @module
 */

import type { Selector } from "../mod.ts";
import {
  close,
  defaultSelectorName,
  EpollSelector,
  EVENT_READ,
  KqueueSelector,
  pipe,
  PollSelector,
  read,
  SelectSelector,
  write,
} from "../poll/mod.ts";

const CHUNKS = ["tick", "tock", "tick"];

/**
 * Show each selector waiting for a pipe, then the default and why.
 *
 * @returns When every selector has seen its pipe's data and hang-up.
 *
 * @example Running the demo
 * ```ts ignore
 * import { pollDemo } from "./poll_demo.ts";
 * await pollDemo();
 * ```
 */
export async function pollDemo(): Promise<void> {
  console.log("== selectors: a pipe, written three times by a timer ==");
  for (const [name, make] of available()) {
    console.log(`  ${name.padEnd(6)} ${await watchPipe(make())}`);
  }
  try {
    using sel = new SelectSelector();
    sel.register(1500, EVENT_READ);
  } catch (err) {
    console.log(`  select refuses big fds: ${(err as Error).message}`);
  }
  const { name, reason } = defaultSelectorName();
  console.log(`  DefaultSelector here is ${name}: ${reason}`);
}

function available(): Array<[string, () => Selector<string>]> {
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
  return kinds;
}

/** One line: what the selector reported, wake-up by wake-up. */
async function watchPipe(sel: Selector<string>): Promise<string> {
  const [r, w] = pipe();
  const buf = new Uint8Array(64);
  const text = new TextDecoder();
  try {
    sel.register(r, EVENT_READ, "pipe");
    const seen = [`idle: ${sel.select(0).length} ready`];
    // The writes come from host timers, so wait on the thread pool
    // (selectAsync) to leave the JS thread free for them.
    CHUNKS.forEach((chunk, i) =>
      setTimeout(() => write(w, new TextEncoder().encode(chunk)), 5 + 5 * i)
    );
    setTimeout(() => close(w), 30);
    for (;;) {
      const ready = await sel.selectAsync(1);
      if (ready.length === 0) return [...seen, "timed out"].join(", ");
      const n = read(r, buf);
      if (n === 0) {
        seen.push("hang-up: readable, read() = 0");
        return seen.join(", ");
      }
      seen.push(`"${text.decode(buf.subarray(0, n))}"`);
    }
  } finally {
    sel.close();
    close(r);
  }
}

if (import.meta.main) await pollDemo();
