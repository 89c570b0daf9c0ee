/**
 * The loop's readers as transports use them: one shared function and one
 * argument (the transport) per fd, held without an arguments array.
 */
import assert from "node:assert/strict";
import { newEventLoop } from "../../mod.ts";
import { close, socketPair, write } from "../../poll/mod.ts";
import { test } from "./_helpers.ts";

test("a reader added with one argument is called with it", async () => {
  const loop = newEventLoop();
  const [a, b] = socketPair();
  const seen: unknown[] = [];
  const owner = { name: "transport" };
  loop.addReader(b, (arg: typeof owner) => {
    seen.push(arg);
    loop.removeReader(b);
    loop.stop();
  }, owner);
  write(a, new Uint8Array([1]));
  await loop.runForever();
  loop.close();
  close(a);
  close(b);
  assert.equal(seen.length, 1);
  assert.equal(seen[0], owner);
});

test("a one-argument reader removed before its turn in the same iteration does not run", async () => {
  const loop = newEventLoop();
  const [a, b] = socketPair();
  const [c, d] = socketPair();
  const ran: number[] = [];
  // Both become ready in one select(); whichever runs first removes the
  // other, which must then be skipped (a transport closed by another
  // callback is not read).
  const reader = (fd: number) => {
    ran.push(fd);
    loop.removeReader(b);
    loop.removeReader(d);
    loop.stop();
  };
  loop.addReader(b, reader, b);
  loop.addReader(d, reader, d);
  write(a, new Uint8Array([1]));
  write(c, new Uint8Array([1]));
  await loop.runForever();
  // One more iteration: a skipped reader would run now if not cancelled.
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  loop.close();
  for (const fd of [a, b, c, d]) close(fd);
  assert.equal(ran.length, 1);
  assert.ok(ran[0] === b || ran[0] === d);
});
