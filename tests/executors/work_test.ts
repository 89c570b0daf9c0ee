import assert from "node:assert/strict";
import { nativeWork, run, ThreadPoolExecutor, work } from "../../mod.ts";

const LIBC = Deno.build.os === "darwin" ? "libSystem.B.dylib" : "libc.so.6";

Deno.test("nativeWork() runs a blocking libc call on a pool thread", async () => {
  const usleep = nativeWork(LIBC, "usleep", {
    parameters: ["u32"],
    result: "i32",
  });
  const labs = nativeWork(LIBC, "labs", { parameters: ["i64"], result: "i64" });
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const got = await run(function* () {
    return [yield* pool.submit(usleep, 1000), yield* pool.submit(labs, -5)];
  });
  // A 64-bit result is `bigint | number` (NativeResult): Deno's FFI gives
  // a bigint, koffi on Node a number when it is a safe integer.
  assert.equal(got[0], 0);
  assert.equal(BigInt(got[1]), 5n);
});

Deno.test("nativeWork() names a missing symbol when the job runs", async () => {
  const missing = nativeWork(LIBC, "no_such_symbol_here", {
    parameters: [],
    result: "void",
  });
  await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  await assert.rejects(
    async () => await pool.submit(missing),
    (err: Error) =>
      err instanceof TypeError && /no_such_symbol_here/.test(err.message),
  );
});

Deno.test("nativeWork() refuses types that cannot cross threads", () => {
  assert.throws(
    () =>
      nativeWork(LIBC, "strlen", {
        // deno-lint-ignore no-explicit-any
        parameters: ["pointer" as any],
        result: "usize",
      }),
    TypeError,
  );
  assert.throws(
    () => nativeWork("", "x", { parameters: [], result: "void" }),
    TypeError,
  );
});

Deno.test("work() refuses a relative URL or an empty export name", () => {
  assert.throws(() => work("./x.ts", "f"), TypeError);
  assert.throws(() => work(import.meta.url, ""), TypeError);
  const ref = work(new URL(import.meta.url), "f");
  assert.equal(ref.moduleUrl, import.meta.url);
  assert.ok(Object.isFrozen(ref));
});
