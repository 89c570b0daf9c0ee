import assert from "node:assert/strict";
import {
  ProcessPoolExecutor,
  run,
  ThreadPoolExecutor,
  toThread,
  transfer,
} from "../../mod.ts";
import { bumpWork, echoWork, filledWork, inspectWork } from "./_work.ts";
import "./_helpers.ts";

const MiB = 1 << 20;

Deno.test("transfer() moves an argument to a pool thread: detached here, intact there", async () => {
  const bytes = new Uint8Array(MiB).fill(3);
  const seen = await run(function* () {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    return yield* pool.submit(inspectWork, transfer(bytes));
  });
  assert.deepEqual(seen, [MiB, 3 * MiB]);
  assert.equal(bytes.byteLength, 0);
  assert.equal(bytes.buffer.byteLength, 0);
});

Deno.test("transfer() in the work moves its result back: intact on the caller's side", async () => {
  const got = await run(async () => await toThread(filledWork, MiB, 9));
  assert.ok(got instanceof Uint8Array);
  assert.equal(got.byteLength, MiB);
  assert.ok(got.every((b) => b === 9));
});

Deno.test("transfer() both ways: the same bytes go and come back, the sender's copy detached", async () => {
  const bytes = new Uint8Array(MiB).fill(1);
  const back = await run(function* () {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    return yield* pool.submit(bumpWork, transfer(bytes));
  });
  assert.equal(bytes.byteLength, 0);
  assert.equal(back.byteLength, MiB);
  assert.ok(back.every((b) => b === 2));
});

Deno.test("an argument not marked with transfer() is copied: the caller keeps it", async () => {
  const bytes = new Uint8Array(1024).fill(5);
  const seen = await run(async () => await toThread(inspectWork, bytes));
  assert.deepEqual(seen, [1024, 5 * 1024]);
  assert.equal(bytes.byteLength, 1024);
});

Deno.test("transfer() of a queued job moves its buffer only when the job is sent", async () => {
  const first = new Uint8Array(16).fill(1);
  const second = new Uint8Array(16).fill(2);
  const got = await run(function* () {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const a = pool.submit(inspectWork, transfer(first));
    const b = pool.submit(inspectWork, transfer(second));
    // The only thread is busy with `a`: `b` waits in the queue, whole.
    assert.equal(second.byteLength, 16);
    return [yield* a, yield* b];
  });
  assert.deepEqual(got, [[16, 16], [16, 32]]);
  assert.equal(second.byteLength, 0);
});

Deno.test("transfer() with a value that cannot be cloned moves nothing and fails before anything runs", async () => {
  const bytes = new Uint8Array(64);
  await run(function* () {
    using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(
      () =>
        pool.submit(echoWork, transfer({ bytes, f: () => 1 }, [bytes.buffer])),
      (err: unknown) =>
        err instanceof TypeError && /cannot be cloned/.test(err.message),
    );
    assert.equal(bytes.byteLength, 64);
    // The thread is still usable.
    assert.equal(yield* pool.submit(echoWork, 7), 7);
  });
});

Deno.test("transfer() refuses what cannot be moved: a primitive, an object without buffers, a SharedArrayBuffer", () => {
  assert.throws(() => transfer(1 as unknown as object), TypeError);
  assert.throws(() => transfer({ a: 1 }), /name its buffers/);
  assert.throws(
    () => transfer(new Uint8Array(new SharedArrayBuffer(8))),
    /SharedArrayBuffer/,
  );
});

Deno.test("transfer() to a ProcessPoolExecutor copies the bytes and detaches the sender's buffer as a thread pool does", async () => {
  const bytes = new Uint8Array(4096).fill(2);
  const seen = await run(function* () {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    try {
      return yield* pool.submit(inspectWork, transfer(bytes));
    } finally {
      yield* pool.shutdown();
    }
  });
  assert.deepEqual(seen, [4096, 8192]);
  assert.equal(bytes.byteLength, 0);
});
