// Type-checked with `tsc --strict` against the installed package's .d.ts
// files (skipLibCheck off, so the declarations themselves are checked).
import {
  CancelledError,
  createTask,
  type EventLoop,
  getRunningLoop,
  run,
  sleep,
  type StreamReader,
  type Task,
} from "@seed/asyncio";
import { DefaultSelector, EVENT_READ } from "@seed/asyncio/selectors";

function* child(): Generator<unknown, number, unknown> {
  yield* sleep(1);
  return 1;
}

export async function main(): Promise<number> {
  return await run(function* () {
    const loop: EventLoop = getRunningLoop();
    const t: Task<number> = createTask(child());
    t.cancel();
    try {
      return yield* t;
    } catch (e) {
      return e instanceof CancelledError ? loop.time() : -1;
    }
  });
}

export async function lineOf(reader: StreamReader): Promise<Uint8Array> {
  return await reader.readline();
}

const selector = new DefaultSelector();
export const readable: number = EVENT_READ;
selector.close();
