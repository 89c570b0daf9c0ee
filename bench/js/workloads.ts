/**
 * The plain-JavaScript floor of each workload (shared WORKLOADS.md, "The JS
 * floor"): the obvious promise-based version of each asyncio workload, with
 * no event-loop library, the same N and the same timed region.
 *
 * ```sh
 * npx deno run bench/js/workloads.ts <workload> [--yield microtask|immediate] [-n N]
 * ```
 *
 * Workloads: callbacks (chain, then batch), sleep0, spawn, pingpong, queue,
 * timers, lock. `--yield` picks how callbacks are scheduled and what a yield
 * is in sleep0, spawn and lock: `microtask` (default; `queueMicrotask`,
 * `await null`) or `immediate` (`setImmediate` from `node:timers`, one
 * macrotask). pingpong and queue use the plain bounded {@linkcode PlainQueue},
 * lock the plain FIFO {@linkcode PlainLock}, timers `setTimeout` with the
 * mulberry32 delays. For lock, `-n` is the count per task (100 tasks).
 * Prints exactly one JSON line:
 * `{"bench", "impl", "runtime", "n", ...fields}`.
 *
 * Node runs it unchanged where type stripping exists
 * (`node --experimental-strip-types`, Node >= 22.6); `bench/js/workloads.mjs`
 * is the untyped copy for older Node.
 *
 * @module
 */

import { setImmediate } from "node:timers";

type Mode = "microtask" | "immediate";
type Fields = Record<string, number>;
type Workload = (n: number, mode: Mode) => Promise<Fields>;

const DEFAULT_N: Record<string, number> = {
  callbacks: 1_000_000,
  sleep0: 1_000_000,
  spawn: 100_000,
  pingpong: 500_000,
  queue: 1_000_000,
  timers: 200_000,
  lock: 10_000,
};
const LOCK_TASKS = 100;

const runtime = typeof Deno !== "undefined" ? "deno" : "node";
const args: string[] = typeof Deno !== "undefined"
  ? Deno.args
  : (globalThis as unknown as { process: { argv: string[] } }).process.argv
    .slice(2);

/** A bounded FIFO queue: an array of items plus FIFO arrays of waiters. */
export class PlainQueue<T> {
  #items: T[] = [];
  #head = 0;
  #getters: (() => void)[] = [];
  #putters: (() => void)[] = [];

  /** `maxsize` <= 0 means unbounded. */
  constructor(readonly maxsize: number) {}

  /** Number of items in the queue. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Waits while the queue is full, then appends `item`. */
  async put(item: T): Promise<void> {
    while (this.maxsize > 0 && this.size >= this.maxsize) {
      await new Promise<void>((r) => this.#putters.push(r));
    }
    this.#items.push(item);
    this.#getters.shift()?.();
  }

  /** Waits while the queue is empty, then removes the oldest item. */
  async get(): Promise<T> {
    while (this.size === 0) {
      await new Promise<void>((r) => this.#getters.push(r));
    }
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#putters.shift()?.();
    return item;
  }
}

/** A FIFO lock: on release, ownership goes straight to the oldest waiter. */
export class PlainLock {
  #locked = false;
  #waiters: (() => void)[] = [];

  /** Resolves once the caller owns the lock. */
  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((r) => this.#waiters.push(r));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

/** `n` delays in [0, 50) ms from mulberry32(seed); the first is 48.986413. */
export function mulberryDelaysMs(n: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 50;
  }
  return out;
}

const since = (t0: number): number => (performance.now() - t0) / 1000;

function yielder(mode: Mode): () => Promise<void> | null {
  return mode === "immediate"
    ? () => new Promise<void>((r) => setImmediate(r))
    : () => null;
}

async function callbacks(n: number, mode: Mode): Promise<Fields> {
  const schedule: (cb: () => void) => unknown = mode === "immediate"
    ? setImmediate
    : queueMicrotask;
  let count = 0;
  let resolveChain!: () => void;
  const chainDone = new Promise<void>((r) => resolveChain = r);
  const chainCb = () => {
    if (++count < n) schedule(chainCb);
    else resolveChain();
  };
  let t0 = performance.now();
  schedule(chainCb);
  await chainDone;
  const chain = since(t0);

  let done = 0;
  let resolveBatch!: () => void;
  const batchDone = new Promise<void>((r) => resolveBatch = r);
  const batchCb = () => {
    if (++done === n) resolveBatch();
  };
  t0 = performance.now();
  for (let i = 0; i < n; i++) schedule(batchCb);
  await batchDone;
  const batch = since(t0);
  return {
    chain_s: chain,
    chain_per_s: n / chain,
    batch_s: batch,
    batch_per_s: n / batch,
  };
}

async function sleep0(n: number, mode: Mode): Promise<Fields> {
  const y = yielder(mode);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await y();
  const e = since(t0);
  return { elapsed_s: e, switches_per_s: n / e };
}

async function spawn(n: number, mode: Mode): Promise<Fields> {
  const y = yielder(mode);
  async function work(i: number): Promise<number> {
    await y();
    return i;
  }
  const t0 = performance.now();
  const tasks: Promise<number>[] = [];
  for (let i = 0; i < n; i++) tasks.push(work(i));
  const results = await Promise.all(tasks);
  const e = since(t0);
  let sum = 0;
  for (const r of results) sum += r;
  if (sum !== n * (n - 1) / 2) throw new Error(`spawn: bad sum ${sum}`);
  return { elapsed_s: e, tasks_per_s: n / e };
}

async function pingpong(n: number): Promise<Fields> {
  const q1 = new PlainQueue<number>(1);
  const q2 = new PlainQueue<number>(1);
  const ping = async () => {
    for (let i = 0; i < n; i++) {
      await q1.put(i);
      if ((await q2.get()) !== i) throw new Error("pingpong: out of order");
    }
  };
  const pong = async () => {
    for (let i = 0; i < n; i++) await q2.put(await q1.get());
  };
  const t0 = performance.now();
  await Promise.all([ping(), pong()]);
  const e = since(t0);
  return { elapsed_s: e, round_trips_per_s: n / e };
}

async function queue(n: number): Promise<Fields> {
  const q = new PlainQueue<number>(100);
  const producer = async () => {
    for (let i = 0; i < n; i++) await q.put(i);
  };
  const consumer = async () => {
    let s = 0;
    for (let i = 0; i < n; i++) s += await q.get();
    return s;
  };
  const t0 = performance.now();
  const [, sum] = await Promise.all([producer(), consumer()]);
  const e = since(t0);
  if (sum !== n * (n - 1) / 2) throw new Error(`queue: bad sum ${sum}`);
  return { elapsed_s: e, items_per_s: n / e };
}

async function timers(n: number): Promise<Fields> {
  const delays = mulberryDelaysMs(n);
  let fired = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => resolveDone = r);
  const cb = () => {
    if (++fired === n) resolveDone();
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) setTimeout(cb, delays[i]);
  const schedule = since(t0);
  await done;
  const e = since(t0);
  return { schedule_s: schedule, elapsed_s: e, timers_per_s: n / e };
}

async function lock(perTask: number, mode: Mode): Promise<Fields> {
  const y = yielder(mode);
  const lk = new PlainLock();
  let held = 0;
  const worker = async () => {
    for (let i = 0; i < perTask; i++) {
      await lk.acquire();
      try {
        held++;
        await y();
      } finally {
        lk.release();
      }
    }
  };
  const t0 = performance.now();
  const workers: Promise<void>[] = [];
  for (let t = 0; t < LOCK_TASKS; t++) workers.push(worker());
  await Promise.all(workers);
  const e = since(t0);
  if (held !== LOCK_TASKS * perTask) throw new Error(`lock: bad count ${held}`);
  return { elapsed_s: e, acquisitions_per_s: held / e, tasks: LOCK_TASKS };
}

const WORKLOADS: Record<string, Workload> = {
  callbacks,
  sleep0,
  spawn,
  pingpong,
  queue,
  timers,
  lock,
};

const name = args[0];
if (!(name in WORKLOADS)) {
  throw new RangeError(
    `usage: workloads.ts <${
      Object.keys(WORKLOADS).join("|")
    }> [--yield microtask|immediate] [-n N]`,
  );
}
const yi = args.indexOf("--yield");
const mode = yi >= 0 ? args[yi + 1] : "microtask";
if (mode !== "microtask" && mode !== "immediate") {
  throw new RangeError(`Bad --yield ${mode}: use microtask or immediate`);
}
// pingpong, queue and timers never yield on their own: no second variant.
if (yi >= 0 && !["callbacks", "sleep0", "spawn", "lock"].includes(name)) {
  throw new RangeError(
    `Cannot use --yield with ${name}: it applies to callbacks, sleep0, spawn and lock`,
  );
}
const ni = args.indexOf("-n");
const n = ni >= 0 ? Number(args[ni + 1]) : DEFAULT_N[name];
if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Bad -n ${n}`);
const fields = await WORKLOADS[name](n, mode);
const impl = name === "timers" ? "js-settimeout" : `js-${mode}`;
console.log(JSON.stringify({ bench: name, impl, runtime, n, ...fields }));
