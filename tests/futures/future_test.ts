import assert from "node:assert/strict";
import {
  CancelledError,
  Future,
  InvalidStateError,
  newEventLoop,
  run,
} from "../../mod.ts";

Deno.test("Future.result() throws InvalidStateError while pending", () => {
  using loop = newEventLoop();
  const fut = new Future({ loop });
  assert.throws(() => fut.result(), InvalidStateError);
  assert.throws(() => fut.exception(), InvalidStateError);
  assert.equal(fut.done(), false);
});

Deno.test("Future.setResult() makes the future done with that result", () => {
  using loop = newEventLoop();
  const fut = new Future<number>({ loop });
  fut.setResult(5);
  assert.equal(fut.done(), true);
  assert.equal(fut.result(), 5);
  assert.equal(fut.exception(), undefined);
});

Deno.test("Future.setResult() on a done future throws and keeps the first result", () => {
  using loop = newEventLoop();
  const fut = new Future<number>({ loop });
  fut.setResult(1);
  assert.throws(() => fut.setResult(2), InvalidStateError);
  assert.throws(() => fut.setException(new Error("x")), InvalidStateError);
  assert.equal(fut.result(), 1);
});

Deno.test("Future.setException() makes result() throw it", () => {
  using loop = newEventLoop();
  const fut = new Future({ loop });
  const err = new Error("boom");
  fut.setException(err);
  assert.equal(fut.exception(), err);
  assert.throws(() => fut.result(), (e) => e === err);
});

Deno.test("Future.setException() rejects undefined", () => {
  using loop = newEventLoop();
  const fut = new Future({ loop });
  assert.throws(() => fut.setException(undefined), TypeError);
  assert.equal(fut.done(), false);
});

Deno.test("Future.cancel() carries its message to CancelledError", () => {
  using loop = newEventLoop();
  const fut = new Future({ loop });
  assert.equal(fut.cancel("stop"), true);
  assert.equal(fut.cancelled(), true);
  assert.throws(
    () => fut.result(),
    (e) => e instanceof CancelledError && e.message === "stop",
  );
  assert.equal(fut.cancel(), false);
});

Deno.test("Future.addDoneCallback() runs callbacks through callSoon, not inline", async () => {
  const loop = newEventLoop();
  const fut = new Future<number>({ loop });
  const seen: string[] = [];
  fut.addDoneCallback((f) => seen.push(`cb ${f.result()}`));
  fut.setResult(3);
  seen.push("after setResult");
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  loop.close();
  assert.deepEqual(seen, ["after setResult", "cb 3"]);
});

Deno.test("Future.addDoneCallback() on a done future schedules it at once", async () => {
  const loop = newEventLoop();
  const fut = new Future<number>({ loop });
  fut.setResult(1);
  let called = 0;
  fut.addDoneCallback(() => called++);
  assert.equal(called, 0);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  loop.close();
  assert.equal(called, 1);
});

Deno.test("Future.removeDoneCallback() removes every registration", async () => {
  const loop = newEventLoop();
  const fut = new Future({ loop });
  let called = 0;
  const cb = () => called++;
  const other = () => called += 10;
  fut.addDoneCallback(cb);
  fut.addDoneCallback(other);
  fut.addDoneCallback(cb);
  assert.equal(fut.removeDoneCallback(cb), 2);
  fut.setResult(undefined);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  loop.close();
  assert.equal(called, 10);
});

Deno.test("Future is awaitable with yield* from a generator", async () => {
  const v = await run(function* () {
    const fut = new Future<string>();
    fut.getLoop().callSoon(() => fut.setResult("gen"));
    return yield* fut;
  });
  assert.equal(v, "gen");
});

Deno.test("Future is awaitable with await from an async function", async () => {
  const v = await run(async () => {
    const fut = new Future<string>();
    fut.getLoop().callSoon(() => fut.setResult("async"));
    return await fut;
  });
  assert.equal(v, "async");
});

Deno.test("Future.then() chains like a Promise", async () => {
  const v = await run(async () => {
    const fut = new Future<number>();
    fut.getLoop().callSoon(() => fut.setResult(2));
    return await fut.then((x) => x * 10);
  });
  assert.equal(v, 20);
});

Deno.test("new Future() without a running loop is a clear error", () => {
  assert.throws(() => new Future(), /no running event loop/);
});
