import assert from "node:assert/strict";
import {
  close,
  EVENT_READ,
  EVENT_WRITE,
  FD_SETSIZE,
  OSError,
  pipe,
  SelectSelector,
} from "../../poll/mod.ts";
import { closeAll, test } from "./_helpers.ts";
import { selectorSuite } from "./_selector_suite.ts";

selectorSuite("SelectSelector", SelectSelector, { fdLimit: FD_SETSIZE });

test("SelectSelector.register() refuses an fd at or above FD_SETSIZE and changes nothing", () => {
  using sel = new SelectSelector();
  for (const fd of [FD_SETSIZE, 1500]) {
    assert.throws(
      () => sel.register(fd, EVENT_READ),
      new RangeError(
        `Cannot register fd ${fd}: select() supports fds below FD_SETSIZE (1024), use PollSelector or EpollSelector`,
      ),
    );
  }
  assert.equal(sel.getMap().size, 0);
  assert.deepEqual(sel.select(0), []);
});

test("SelectSelector.register() refuses real fds past 1023 but keeps those below", () => {
  // Open pipes until some fd numbers pass FD_SETSIZE.
  const pipes: Array<[number, number]> = [];
  while (pipes.length === 0 || pipes[pipes.length - 1][1] < FD_SETSIZE + 1) {
    pipes.push(pipe());
  }
  using _ = closeAll(...pipes.flat());
  using sel = new SelectSelector();
  const high = pipes[pipes.length - 1];
  const low = pipes[0];
  sel.register(low[1], EVENT_WRITE);
  assert.throws(() => sel.register(high[1], EVENT_WRITE), RangeError);
  assert.deepEqual([...sel.getMap().keys()], [low[1]]);
  assert.equal(sel.select(0).length, 1);
});

test("SelectSelector.select() throws EBADF for an fd closed while registered", () => {
  const [r, w] = pipe();
  using _ = closeAll(w);
  using sel = new SelectSelector();
  sel.register(r, EVENT_READ);
  close(r);
  // select(2) itself fails (Python raises too); unregister() recovers.
  assert.throws(
    () => sel.select(0),
    (e) => e instanceof OSError && e.code === "EBADF" && e.syscall === "select",
  );
  sel.unregister(r);
  assert.deepEqual(sel.select(0), []);
});

test("SelectSelector.unregister() of the highest fd lowers the scan bound", () => {
  const [r1, w1] = pipe();
  const [r2, w2] = pipe();
  using _ = closeAll(r1, w1, r2, w2);
  using sel = new SelectSelector();
  sel.register(w1, EVENT_WRITE);
  sel.register(w2, EVENT_WRITE);
  sel.unregister(Math.max(w1, w2));
  assert.equal(sel.select(0).length, 1);
});
