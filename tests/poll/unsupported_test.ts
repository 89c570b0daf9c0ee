import assert from "node:assert/strict";
import { UnsupportedSelector } from "../../poll/_unsupported.ts";
import { EVENT_READ } from "../../poll/mod.ts";
import { test } from "./_helpers.ts";

test("UnsupportedSelector.select() and every other call fail with one clear message", async () => {
  using sel = new UnsupportedSelector();
  const msg = new Error(UnsupportedSelector.message);
  assert.match(msg.message, /^Cannot use a selector: \w+ is not supported/);
  assert.throws(() => sel.register(0, EVENT_READ), msg);
  assert.throws(() => sel.unregister(0), msg);
  assert.throws(() => sel.modify(0, EVENT_READ), msg);
  assert.throws(() => sel.select(0), msg);
  assert.throws(() => sel.getKey(0), msg);
  assert.throws(() => sel.getMap(), msg);
  await assert.rejects(() => sel.selectAsync(0), msg);
  sel.close(); // nothing to release: no error
});
