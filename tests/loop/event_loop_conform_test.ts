// Validation, misuse errors, exception-handler robustness and resources of
// EventLoop (issues 9 and 10), named for the CPython tests they mirror.
import assert from "node:assert/strict";
import {
  createTask,
  ensureFuture,
  EventLoop,
  type ExceptionContext,
  Future,
  getRunningLoop,
  newEventLoop,
  run,
  Runner,
  RuntimeError,
  setEventLoop,
  sleep,
  timeout,
  waitFor,
} from "../../mod.ts";
import { openFds } from "../poll/_helpers.ts";
import { close, pipe } from "../../poll/fd.ts";
import * as futureKeys from "../../futures/_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _tasks: typeof futureKeys._tasks = futureKeys._tasks;

const virtual = { clock: "virtual" } as const;

async function runBriefly(loop: EventLoop): Promise<void> {
  loop.callSoon(() => loop.stop());
  await loop.runForever();
}

/** Run `fn` with console.error captured; returns what was logged. */
async function capturingErrors(fn: () => unknown): Promise<string[]> {
  const logged: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => logged.push(a.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.error = orig;
  }
  return logged;
}

Deno.test("EventLoop() with a bad selector is a TypeError and leaks no fd", () => {
  const before = openFds().length;
  for (const selector of [{}, 42, null]) {
    assert.throws(
      () => new EventLoop({ selector: selector as never }),
      (e) =>
        e instanceof TypeError && /selector must be a Selector/.test(e.message),
    );
  }
  assert.equal(openFds().length, before);
});

Deno.test("EventLoop() with an unknown clock names the allowed ones", () => {
  assert.throws(
    () => new EventLoop({ clock: "virtul" as never }),
    (e) =>
      e instanceof TypeError &&
      /clock must be "real" or "virtual", got "virtul" \(a string\)/.test(
        e.message,
      ),
  );
});

Deno.test("EventLoop() with an unknown option names it", () => {
  assert.throws(
    () => new EventLoop({ clok: "virtual" } as never),
    (e) => e instanceof TypeError && /unknown option "clok"/.test(e.message),
  );
  assert.throws(() => new EventLoop({ debug: "yes" as never }), TypeError);
});

Deno.test("callSoon() with a non-function is a TypeError at the call (test_call_soon_non_callable)", () => {
  using loop = newEventLoop();
  for (
    const call of [
      () => loop.callSoon(42 as never),
      () => loop.callSoonThreadsafe("f" as never),
      () => loop.callLater(1, null as never),
      () => loop.callAt(1, {} as never),
    ]
  ) {
    assert.throws(
      call,
      (e) =>
        e instanceof TypeError && /callback must be a function/.test(e.message),
    );
  }
});

Deno.test("addReader()/addWriter() with a non-function is a TypeError and watches nothing", () => {
  using loop = newEventLoop();
  const [r, w] = pipe();
  try {
    assert.throws(() => loop.addReader(r, 1 as never), TypeError);
    assert.throws(() => loop.addWriter(w, undefined as never), TypeError);
    assert.equal(loop.removeReader(r), false);
    assert.equal(loop.removeWriter(w), false);
  } finally {
    close(r);
    close(w);
  }
});

Deno.test("callLater() with a string delay shows it as a string", () => {
  using loop = newEventLoop();
  assert.throws(
    () => loop.callLater("1" as never, () => {}),
    (e) => e instanceof TypeError && /got "1" \(a string\)/.test(e.message),
  );
});

Deno.test("callLater(Infinity) schedules nothing, and the loop runs on", async () => {
  using loop = newEventLoop(virtual);
  let fired = false;
  const h = loop.callLater(Infinity, () => (fired = true));
  assert.equal(h.cancelled(), false);
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  assert.equal(fired, false);
  h.cancel();
  assert.ok(h.cancelled());
});

Deno.test("sleep(Infinity) alone on the virtual clock is the deadlock error, not a crash", async () => {
  await assert.rejects(
    run(function* () {
      yield* sleep(Infinity);
    }, virtual),
    /deadlocked/,
  );
});

Deno.test("waitFor(…, Infinity) and timeout(Infinity) work on the virtual clock", async () => {
  const v = await run(function* () {
    const a = yield* waitFor(sleep(5, "a"), Infinity);
    const b = yield* timeout(Infinity).run(function* () {
      return yield* sleep(1, "b");
    });
    return a + b;
  }, virtual);
  assert.equal(v, "ab");
});

for (
  const [what, value] of [
    ["Object.create(null)", () => Object.create(null)],
    ["an object whose toString throws", () => ({
      toString() {
        throw new Error("no");
      },
    })],
    ["a string", () => "plain string"],
    ["undefined", () => undefined],
  ] as const
) {
  Deno.test(`a callback throwing ${what} is reported and the loop runs on`, async () => {
    using loop = newEventLoop();
    let after = false;
    const logged = await capturingErrors(async () => {
      loop.callSoon(() => {
        throw value();
      });
      loop.callSoon(() => (after = true));
      await runBriefly(loop);
    });
    assert.ok(after);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /Exception in callback/);
  });
}

Deno.test("a broken exception handler logs the original context (test_set_exc_handler_broken)", async () => {
  using loop = newEventLoop();
  loop.setExceptionHandler(() => {
    throw new Error("handler broke");
  });
  const logged = await capturingErrors(async () => {
    loop.callSoon(() => {
      throw new Error("original");
    });
    await runBriefly(loop);
  });
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^Unhandled error in exception handler/);
  assert.match(logged[0], /handler broke/);
  assert.match(logged[0], /context:\n {2}Exception in callback/);
  assert.match(logged[0], /original/);
  assert.doesNotMatch(logged[0], /\[object Object\]/);
});

Deno.test("a broken defaultExceptionHandler is logged and the loop runs on (test_default_exc_handler_broken)", async () => {
  class Broken extends EventLoop {
    override defaultExceptionHandler(_c: ExceptionContext): void {
      throw new Error("default broke");
    }
  }
  using loop = new Broken();
  let after = false;
  const logged = await capturingErrors(async () => {
    loop.callSoon(() => {
      throw new Error("first");
    });
    loop.callSoon(() => (after = true));
    await runBriefly(loop);
  });
  assert.ok(after);
  assert.equal(logged.length, 1);
  assert.match(logged[0], /Exception in default exception handler/);
  assert.match(logged[0], /default broke/);
});

Deno.test("callSoon() on a closed loop is a RuntimeError", () => {
  const loop = newEventLoop();
  loop.close();
  assert.throws(
    () => loop.callSoon(() => {}),
    (e) => e instanceof RuntimeError && /loop is closed/.test(e.message),
  );
  assert.throws(() => loop.callLater(1, () => {}), RuntimeError);
});

Deno.test("runForever() on a running loop is a RuntimeError (test_run_forever_nested)", async () => {
  using loop = newEventLoop();
  await loop.runUntilComplete(async () => {
    await assert.rejects(
      loop.runForever(),
      (e) => e instanceof RuntimeError && /already running/.test(e.message),
    );
    await assert.rejects(loop.runUntilComplete(sleep(0)), RuntimeError);
  });
});

Deno.test("runUntilComplete() on a second loop while one runs leaves no task on it", async () => {
  using other = newEventLoop();
  let ran = false;
  await run(async () => {
    await assert.rejects(
      other.runUntilComplete(function* () {
        ran = true;
      }),
      (e) =>
        e instanceof RuntimeError && /another loop is running/.test(e.message),
    );
  });
  assert.equal(other[_tasks].size, 0);
  assert.equal(ran, false);
});

Deno.test("runUntilComplete() stopped before completion is a RuntimeError", async () => {
  using loop = newEventLoop();
  const fut = loop.createFuture();
  loop.callSoon(() => loop.stop());
  await assert.rejects(loop.runUntilComplete(fut), RuntimeError);
});

Deno.test("close() of a running loop is a RuntimeError", async () => {
  using loop = newEventLoop();
  await loop.runUntilComplete(function* () {
    assert.throws(() => loop.close(), RuntimeError);
    yield* sleep(0);
  });
});

Deno.test("loops dropped without close() release their fds when collected", async () => {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const before = openFds().length;
  (() => {
    for (let i = 0; i < 20; i++) newEventLoop();
  })();
  assert.ok(openFds().length > before);
  for (let i = 0; i < 3 && openFds().length > before; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(openFds().length, before);
});

Deno.test("run() inside a running loop is a RuntimeError (test_asyncio_run_from_running_loop)", async () => {
  await run(async () => {
    await assert.rejects(
      run(function* () {}),
      (e) =>
        e instanceof RuntimeError &&
        /while an event loop is running/.test(e.message),
    );
  });
});

Deno.test("a closed Runner is a RuntimeError", async () => {
  const runner = new Runner();
  runner.close();
  assert.throws(() => runner.getLoop(), RuntimeError);
  await assert.rejects(runner.run(function* () {}), RuntimeError);
});

Deno.test("getRunningLoop() with no loop running is a RuntimeError", () => {
  assert.throws(() => getRunningLoop(), RuntimeError);
  assert.throws(() => createTask(function* () {}), RuntimeError);
});

Deno.test("Future() and ensureFuture() outside a running loop use the loop set with setEventLoop() (3.12)", async () => {
  const loop = newEventLoop();
  setEventLoop(loop);
  try {
    const fut = new Future<number>();
    assert.equal(fut.getLoop(), loop);
    const task = ensureFuture(function* () {
      return 5;
    });
    assert.equal(task.getLoop(), loop);
    assert.equal(await loop.runUntilComplete(task), 5);
  } finally {
    setEventLoop(null);
    loop.close();
  }
  assert.throws(() => new Future(), RuntimeError);
});

Deno.test("run(main()) with an async main says to pass the function", async () => {
  let started = false;
  const main = async () => {
    started = true;
    await Promise.resolve();
    return 1;
  };
  await assert.rejects(
    run(main() as never),
    (e) =>
      e instanceof TypeError &&
      /already started outside the loop.*run\(main\) or run\(\(\) => main\(x\)\)/
        .test(e.message),
  );
  assert.ok(started); // it ran outside the loop: the reason for the error
  assert.equal(await run(main), 1);
});

Deno.test("a debug loop dropped without close() warns when collected (ResourceWarning)", async () => {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const warned: string[] = [];
  const orig = console.warn;
  console.warn = (...a: unknown[]) => warned.push(a.map(String).join(" "));
  try {
    (() => {
      newEventLoop({ debug: true });
      newEventLoop({ debug: true }).close(); // closed: no warning
    })();
    for (let i = 0; i < 3 && warned.length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    console.warn = orig;
  }
  assert.equal(warned.length, 1);
  assert.match(warned[0], /^ResourceWarning: unclosed event loop/);
});
