/**
 * The canonical workloads on this module's event loop, one per process:
 * `deno run --allow-ffi bench/ours.ts <workload> [--form gen|async] [-n N]
 * [--host-delay SECONDS|inf]`.
 * Prints one JSON line (impl `ours-gen` or `ours-async`).
 *
 * @module
 */

import {
  type Coro,
  createTask,
  type EventLoop,
  gather,
  Lock,
  newEventLoop,
  Queue,
  sleep,
} from "../mod.ts";
import { mulberryDelaysMs, parseArgs, report, seconds } from "./_common.ts";

type Form = "gen" | "async";

async function callbacks(
  loop: EventLoop,
  n: number,
): Promise<Record<string, number>> {
  let count = 0;
  const chainDone = loop.createFuture<void>();
  const chainCb = (): void => {
    if (++count < n) loop.callSoon(chainCb);
    else chainDone.setResult();
  };
  let t0 = performance.now();
  loop.callSoon(chainCb);
  await loop.runUntilComplete(chainDone);
  const chain = seconds(t0, performance.now());

  let done = 0;
  const batchDone = loop.createFuture<void>();
  const batchCb = (): void => {
    if (++done === n) batchDone.setResult();
  };
  t0 = performance.now();
  for (let i = 0; i < n; i++) loop.callSoon(batchCb);
  await loop.runUntilComplete(batchDone);
  const batch = seconds(t0, performance.now());
  return {
    chain_s: chain,
    chain_per_s: n / chain,
    batch_s: batch,
    batch_per_s: n / batch,
  };
}

async function sleep0(loop: EventLoop, n: number, form: Form) {
  const t0 = performance.now();
  await loop.runUntilComplete(
    form === "gen"
      ? function* () {
        for (let i = 0; i < n; i++) yield* sleep(0);
      }
      : async () => {
        for (let i = 0; i < n; i++) await sleep(0);
      },
  );
  const s = seconds(t0, performance.now());
  return { elapsed_s: s, switches_per_s: n / s };
}

async function spawn(loop: EventLoop, n: number, form: Form) {
  function* workGen(i: number): Coro<number> {
    yield* sleep(0);
    return i;
  }
  async function workAsync(i: number): Promise<number> {
    await sleep(0);
    return i;
  }
  const t0 = performance.now();
  const results = await loop.runUntilComplete(
    form === "gen"
      ? function* () {
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(createTask(workGen(i)));
        return yield* gather(...tasks);
      }
      : async () => {
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(createTask(() => workAsync(i)));
        return await gather(...tasks);
      },
  );
  const s = seconds(t0, performance.now());
  let sum = 0;
  for (const r of results) sum += r;
  if (sum !== n * (n - 1) / 2) throw new Error(`spawn: bad sum ${sum}`);
  return { elapsed_s: s, tasks_per_s: n / s };
}

async function pingpong(loop: EventLoop, n: number, form: Form) {
  const t0 = performance.now();
  await loop.runUntilComplete(
    form === "gen"
      ? function* () {
        const q1 = new Queue<number>(1), q2 = new Queue<number>(1);
        const ping = createTask(function* () {
          for (let i = 0; i < n; i++) {
            yield* q1.put(i);
            if ((yield* q2.get()) !== i) {
              throw new Error("pingpong: out of order");
            }
          }
        });
        const pong = createTask(function* () {
          for (let i = 0; i < n; i++) yield* q2.put(yield* q1.get());
        });
        yield* gather(ping, pong);
      }
      : async () => {
        const q1 = new Queue<number>(1), q2 = new Queue<number>(1);
        const ping = createTask(async () => {
          for (let i = 0; i < n; i++) {
            await q1.put(i);
            if ((await q2.get()) !== i) {
              throw new Error("pingpong: out of order");
            }
          }
        });
        const pong = createTask(async () => {
          for (let i = 0; i < n; i++) await q2.put(await q1.get());
        });
        await gather(ping, pong);
      },
  );
  const s = seconds(t0, performance.now());
  return { elapsed_s: s, round_trips_per_s: n / s };
}

async function queue(loop: EventLoop, n: number, form: Form) {
  const t0 = performance.now();
  const sum = await loop.runUntilComplete(
    form === "gen"
      ? function* () {
        const q = new Queue<number>(100);
        const producer = createTask(function* () {
          for (let i = 0; i < n; i++) yield* q.put(i);
        });
        const consumer = createTask(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* q.get();
          return s;
        });
        return (yield* gather(producer, consumer))[1];
      }
      : async () => {
        const q = new Queue<number>(100);
        const producer = createTask(async () => {
          for (let i = 0; i < n; i++) await q.put(i);
        });
        const consumer = createTask(async () => {
          let s = 0;
          for (let i = 0; i < n; i++) s += await q.get();
          return s;
        });
        return (await gather(producer, consumer))[1];
      },
  );
  const s = seconds(t0, performance.now());
  if (sum !== n * (n - 1) / 2) throw new Error(`queue: bad sum ${sum}`);
  return { elapsed_s: s, items_per_s: n / s };
}

async function timers(loop: EventLoop, n: number) {
  const delays = mulberryDelaysMs(n);
  let fired = 0;
  const done = loop.createFuture<void>();
  const cb = (): void => {
    if (++fired === n) done.setResult();
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) loop.callLater(delays[i] / 1000, cb);
  const t1 = performance.now();
  await loop.runUntilComplete(done);
  const s = seconds(t0, performance.now());
  return { schedule_s: seconds(t0, t1), elapsed_s: s, timers_per_s: n / s };
}

async function lock(loop: EventLoop, perTask: number, form: Form) {
  const tasks = 100;
  let held = 0;
  const t0 = performance.now();
  await loop.runUntilComplete(function* () {
    const lk = new Lock();
    const ts = [];
    for (let t = 0; t < tasks; t++) {
      ts.push(createTask(
        form === "gen"
          ? function* () {
            for (let i = 0; i < perTask; i++) {
              yield* lk.acquire();
              try {
                held++;
                yield* sleep(0);
              } finally {
                lk.release();
              }
            }
          }
          : async () => {
            for (let i = 0; i < perTask; i++) {
              await lk.acquire();
              try {
                held++;
                await sleep(0);
              } finally {
                lk.release();
              }
            }
          },
      ));
    }
    yield* gather(...ts);
  });
  const s = seconds(t0, performance.now());
  if (held !== tasks * perTask) throw new Error(`lock: held ${held}`);
  return { elapsed_s: s, acquisitions_per_s: held / s };
}

/** Run one workload on a fresh loop and return its report fields. */
export async function runOurs(
  workload: string,
  n: number,
  form: Form,
  hostDelay?: number,
): Promise<Record<string, unknown>> {
  const loop = newEventLoop(hostDelay === undefined ? {} : { hostDelay });
  try {
    let fields: Record<string, number>;
    switch (workload) {
      case "callbacks":
        fields = await callbacks(loop, n);
        break;
      case "sleep0":
        fields = await sleep0(loop, n, form);
        break;
      case "spawn":
        fields = await spawn(loop, n, form);
        break;
      case "pingpong":
        fields = await pingpong(loop, n, form);
        break;
      case "queue":
        fields = await queue(loop, n, form);
        break;
      case "timers":
        fields = await timers(loop, n);
        break;
      case "lock":
        fields = await lock(loop, n, form);
        break;
      default:
        throw new RangeError(`Unknown workload ${workload}`);
    }
    return {
      bench: workload,
      impl: `ours-${form}`,
      runtime: "deno",
      n,
      ...fields,
    };
  } finally {
    loop.close();
  }
}

if (import.meta.main) {
  const { workload, n, flags } = parseArgs(Deno.args);
  const form = (flags.get("form") ?? "gen") as Form;
  if (form !== "gen" && form !== "async") {
    throw new RangeError(`Bad --form ${form}: use gen or async`);
  }
  // --host-delay inf: no host turns, to count the scheduler's own
  // instructions (callgrind) apart from the turns' wall time.
  const hd = flags.get("host-delay");
  const hostDelay = hd === undefined
    ? undefined
    : hd === "inf"
    ? Infinity
    : Number(hd);
  report(await runOurs(workload, n, form, hostDelay));
}
