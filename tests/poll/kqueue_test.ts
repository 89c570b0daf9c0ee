import assert from "node:assert/strict";
import {
  EVENT_READ,
  EVENT_WRITE,
  KqueueSelector,
  pipe,
} from "../../poll/mod.ts";
import { closeAll, KQUEUE, test } from "./_helpers.ts";
import { selectorSuite } from "./_selector_suite.ts";

selectorSuite("KqueueSelector", KqueueSelector, { ignore: !KQUEUE });

test(
  "KqueueSelector.modify() from read to write swaps the kernel filters",
  () => {
    const [r, w] = pipe();
    using _ = closeAll(r, w);
    using sel = new KqueueSelector();
    sel.register(w, EVENT_READ);
    assert.deepEqual(sel.select(0), []);
    const key = sel.modify(w, EVENT_WRITE);
    assert.deepEqual(sel.select(0), [[key, EVENT_WRITE]]);
  },
  { ignore: !KQUEUE },
);

test("KqueueSelector() is refused where kqueue does not exist", () => {
  assert.throws(
    () => new KqueueSelector(),
    /^Error: Cannot call kqueue\(\): \w+'s libc does not have it, use DefaultSelector$/,
  );
}, { ignore: KQUEUE });
