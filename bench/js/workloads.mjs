/**
 * The plain-JavaScript floor of each workload (WORKLOADS.md, "The JS
 * floor"): the obvious promise-based version, no event-loop library.
 * Plain JS so that Deno and Node run it unchanged:
 * `deno run bench/js/workloads.mjs <workload> [--yield microtask|immediate] [-n N]`
 * or `node bench/js/workloads.mjs ...`. Prints one JSON line.
 *
 * @module
 */

import { setImmediate } from "node:timers";

const DEFAULT_N = {
  callbacks: 1_000_000,
  sleep0: 1_000_000,
  spawn: 100_000,
  pingpong: 500_000,
  queue: 1_000_000,
  timers: 200_000,
  lock: 10_000,
};

const runtime = typeof Deno !== "undefined" ? "deno" : "node";
const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);

/** A bounded FIFO queue of promises: items plus FIFO waiting getters/putters. */
class PlainQueue {
  constructor(maxsize) {
    this.maxsize = maxsize;
    this.items = [];
    this.head = 0;
    this.getters = [];
    this.putters = [];
  }
  get size() {
    return this.items.length - this.head;
  }
  async put(item) {
    while (this.maxsize > 0 && this.size >= this.maxsize) {
      await new Promise((r) => this.putters.push(r));
    }
    this.items.push(item);
    const g = this.getters.shift();
    if (g) g();
  }
  async get() {
    while (this.size === 0) await new Promise((r) => this.getters.push(r));
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    const p = this.putters.shift();
    if (p) p();
    return item;
  }
}

/** A FIFO lock: ownership handed to the next waiter on release. */
class PlainLock {
  constructor() {
    this.locked = false;
    this.waiters = [];
  }
  acquire() {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiters.push(r));
  }
  release() {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

function mulberryDelaysMs(n, seed = 12345) {
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

const s = (t0) => (performance.now() - t0) / 1000;

async function callbacks(n, mode) {
  const schedule = mode === "immediate" ? setImmediate : queueMicrotask;
  let count = 0;
  let t0 = performance.now();
  await new Promise((resolve) => {
    const cb = () => {
      if (++count < n) schedule(cb);
      else resolve();
    };
    schedule(cb);
  });
  const chain = s(t0);
  let done = 0;
  let resolveBatch;
  const batchDone = new Promise((r) => resolveBatch = r);
  const cb = () => {
    if (++done === n) resolveBatch();
  };
  t0 = performance.now();
  for (let i = 0; i < n; i++) schedule(cb);
  await batchDone;
  const batch = s(t0);
  return {
    chain_s: chain,
    chain_per_s: n / chain,
    batch_s: batch,
    batch_per_s: n / batch,
  };
}

function yielder(mode) {
  return mode === "immediate"
    ? () => new Promise((r) => setImmediate(r))
    : () => null;
}

async function sleep0(n, mode) {
  const y = yielder(mode);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await y();
  const e = s(t0);
  return { elapsed_s: e, switches_per_s: n / e };
}

async function spawn(n, mode) {
  const y = yielder(mode);
  async function work(i) {
    await y();
    return i;
  }
  const t0 = performance.now();
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(work(i));
  const results = await Promise.all(tasks);
  const e = s(t0);
  let sum = 0;
  for (const r of results) sum += r;
  if (sum !== n * (n - 1) / 2) throw new Error("spawn: bad sum");
  return { elapsed_s: e, tasks_per_s: n / e };
}

async function pingpong(n) {
  const q1 = new PlainQueue(1), q2 = new PlainQueue(1);
  const t0 = performance.now();
  await Promise.all([
    (async () => {
      for (let i = 0; i < n; i++) {
        await q1.put(i);
        if ((await q2.get()) !== i) throw new Error("pingpong: out of order");
      }
    })(),
    (async () => {
      for (let i = 0; i < n; i++) await q2.put(await q1.get());
    })(),
  ]);
  const e = s(t0);
  return { elapsed_s: e, round_trips_per_s: n / e };
}

async function queue(n) {
  const q = new PlainQueue(100);
  const t0 = performance.now();
  const [, sum] = await Promise.all([
    (async () => {
      for (let i = 0; i < n; i++) await q.put(i);
    })(),
    (async () => {
      let total = 0;
      for (let i = 0; i < n; i++) total += await q.get();
      return total;
    })(),
  ]);
  const e = s(t0);
  if (sum !== n * (n - 1) / 2) throw new Error("queue: bad sum");
  return { elapsed_s: e, items_per_s: n / e };
}

async function timers(n) {
  const delays = mulberryDelaysMs(n);
  let fired = 0;
  let resolveDone;
  const done = new Promise((r) => resolveDone = r);
  const cb = () => {
    if (++fired === n) resolveDone();
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) setTimeout(cb, delays[i]);
  const schedule = s(t0);
  await done;
  const e = s(t0);
  return { schedule_s: schedule, elapsed_s: e, timers_per_s: n / e };
}

async function lock(perTask, mode) {
  const y = yielder(mode);
  const lk = new PlainLock();
  let held = 0;
  const t0 = performance.now();
  const workers = [];
  for (let t = 0; t < 100; t++) {
    workers.push((async () => {
      for (let i = 0; i < perTask; i++) {
        await lk.acquire();
        try {
          held++;
          await y();
        } finally {
          lk.release();
        }
      }
    })());
  }
  await Promise.all(workers);
  const e = s(t0);
  if (held !== 100 * perTask) throw new Error("lock: bad count");
  return { elapsed_s: e, acquisitions_per_s: held / e };
}

const WORKLOADS = { callbacks, sleep0, spawn, pingpong, queue, timers, lock };

const name = args[0];
if (!(name in WORKLOADS)) {
  throw new RangeError(
    `usage: workloads.mjs <${
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
const fields = await WORKLOADS[name](n, mode);
const impl = name === "timers" ? "js-settimeout" : `js-${mode}`;
console.log(JSON.stringify({ bench: name, impl, runtime, n, ...fields }));
