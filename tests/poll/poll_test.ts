import assert from "node:assert/strict";
import {
  close,
  EVENT_READ,
  EVENT_WRITE,
  pipe,
  PollSelector,
  write,
} from "../../poll/mod.ts";
import { closeAll, test } from "./_helpers.ts";
import { selectorSuite } from "./_selector_suite.ts";

selectorSuite("PollSelector", PollSelector);

test("PollSelector.select() reports an fd closed while registered as ready (POLLNVAL)", () => {
  const [r, w] = pipe();
  using _ = closeAll(w);
  using sel = new PollSelector();
  const key = sel.register(r, EVENT_READ | EVENT_WRITE);
  close(r);
  // As Python: the owner learns of it (EBADF) on its next call.
  assert.deepEqual(sel.select(0), [[key, EVENT_READ | EVENT_WRITE]]);
  sel.unregister(r);
});

test("PollSelector.unregister() keeps the other fds' order and events", () => {
  const pipes = Array.from({ length: 5 }, () => pipe());
  using _ = closeAll(...pipes.flat());
  using sel = new PollSelector();
  pipes.forEach(([r], i) => sel.register(r, EVENT_READ, i));
  sel.unregister(pipes[0][0]); // the last one moves into its slot
  sel.unregister(pipes[3][0]);
  for (const [, w] of pipes) write(w, new Uint8Array([1]));
  const got = sel.select(0).map(([k]) => k.data).sort();
  assert.deepEqual(got, [1, 2, 4]);
});
