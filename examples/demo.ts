/**
 * The main demo (`deno task demo`): the polling functions at work on pipes,
 * then the event loop running generator and async-function tasks side by
 * side, a task cancelled cleanly, and a timeout, then a TCP echo server
 * serving real clients on 127.0.0.1.
 *
 * @module
 */

import {
  CancelledError,
  type Coro,
  createTask,
  getRunningLoop,
  run,
  sleep,
} from "../mod.ts";
import { close, pipe, read, write } from "../poll/fd.ts";
import { echoDemo } from "./echo.ts";
import { pollDemo } from "./poll_demo.ts";
import { crossingDemo, executorDemo } from "./executor_demo.ts";

function* teller(name: string, customers: number): Coro<string> {
  // The seed's bank counter: each customer takes a while; while one teller
  // waits, the loop serves the others.
  for (let i = 1; i <= customers; i++) {
    yield* sleep(0.05);
    console.log(`  teller ${name} served customer ${i}`);
  }
  return `${name}: ${customers} served`;
}

async function asyncTeller(name: string, customers: number): Promise<string> {
  for (let i = 1; i <= customers; i++) {
    await sleep(0.05);
    console.log(`  teller ${name} (async fn) served customer ${i}`);
  }
  return `${name}: ${customers} served`;
}

function* watchPipe(): Coro<string> {
  const loop = getRunningLoop();
  const [r, w] = pipe();
  try {
    const fut = loop.createFuture<string>();
    loop.addReader(r, () => {
      const buf = new Uint8Array(64);
      const n = read(r, buf);
      loop.removeReader(r);
      fut.setResult(new TextDecoder().decode(buf.subarray(0, n)));
    });
    loop.callLater(0.02, () => write(w, new TextEncoder().encode("hello")));
    return yield* fut;
  } finally {
    close(r);
    close(w);
  }
}

async function loopDemo(): Promise<void> {
  console.log("\n== the event loop: tasks, cancellation, a watched fd ==");
  await run(function* () {
    const a = createTask(teller("A", 3));
    const b = createTask(() => asyncTeller("B", 2));
    const slow = createTask(function* () {
      try {
        yield* sleep(3600);
      } catch (err) {
        if (err instanceof CancelledError) {
          console.log(
            `  slow task got CancelledError("${err.message}") and cleans up`,
          );
        }
        throw err;
      }
    });
    console.log(`  pipe said: ${yield* watchPipe()}`);
    console.log(`  ${yield* a}`);
    console.log(`  ${yield* b}`);
    slow.cancel("closing time");
    try {
      yield* slow;
    } catch (err) {
      if (!(err instanceof CancelledError)) throw err;
    }
    console.log(`  slow task cancelled: ${slow.cancelled()}`);
  });
}

if (import.meta.main) {
  await pollDemo();
  await loopDemo();
  console.log(
    "\n== networking: a TCP echo server and five clients on 127.0.0.1 ==",
  );
  await echoDemo();
  // exec: blocking work moved off the loop.
  console.log("\n== executors: blocking work in a thread pool ==");
  await executorDemo();
  await crossingDemo();
}
