import assert from "node:assert/strict";
import { createTask, newEventLoop, type Selector, sleep } from "../../mod.ts";
import { EpollSelector, PollSelector, SelectSelector } from "../../poll/mod.ts";
import { close, pipe, read, write } from "../../poll/fd.ts";

const SELECTORS: Array<[string, () => Selector<unknown>]> = [
  ["SelectSelector", () => new SelectSelector()],
  ["PollSelector", () => new PollSelector()],
  ...(Deno.build.os === "linux"
    ? [
      ["EpollSelector", () => new EpollSelector()] as [
        string,
        () => Selector<unknown>,
      ],
    ]
    : []),
];

for (const [name, make] of SELECTORS) {
  Deno.test(`EventLoop on ${name} wakes a reader while it waits for the host`, async () => {
    using loop = newEventLoop({ selector: make() });
    const [r, w] = pipe();
    try {
      const got = await loop.runUntilComplete(function* () {
        const fut = loop.createFuture<number>();
        // An async function adds the reader from host code while the loop
        // waits on the thread pool: the pooled wait must restart with the fd.
        const adder = createTask(async () => {
          await new Promise((res) => setTimeout(res, 5));
          loop.addReader(r, () => {
            const buf = new Uint8Array(1);
            read(r, buf);
            loop.removeReader(r);
            fut.setResult(buf[0]);
          });
          loop.callLater(0.005, () => write(w, new Uint8Array([42])));
          await sleep(0.05);
        });
        const value = yield* fut;
        yield* adder;
        return value;
      });
      assert.equal(got, 42);
    } finally {
      close(r);
      close(w);
    }
  });
}
