/**
 * Subprocess benchmark: spawn + wait of `/bin/true`, N = 500, in four modes —
 * sequential or 20 at a time, with inherited stdio or with stdout and stderr
 * piped (read to EOF: `communicate()`) — for ours (both coroutine forms),
 * `Deno.Command`, stock asyncio, uvloop and Node's `child_process`.
 *
 * `npx deno task bench:spawn [-n 500] [--rounds 1]` runs every
 * implementation of every mode in its own process, interleaved, and prints
 * spawns per second (median of the rounds) with the target: ours at least
 * 1.1x the best peer in each mode. `--impl X --mode M` runs one measurement
 * and prints its JSON line (what the runner calls).
 *
 * A second table gives each parent's own CPU time per spawn (all its
 * threads, `getrusage(RUSAGE_SELF)`; the children's exec and run are not
 * in it): what the implementation itself costs, which load on a shared
 * machine disturbs far less than the wall-clock rate. A third table gives
 * the same over the second half of the spawns only: without the one-time
 * costs of a run (loading libc's symbols through FFI, compiling the code),
 * which weigh up to a third of the whole on a run of 300.
 *
 * @module
 */

import { createSubprocessExec, gather, PIPE, run } from "../mod.ts";
import { report, seconds } from "./_common.ts";

const MODES = ["seq-inherit", "conc-inherit", "seq-pipe", "conc-pipe"];
const CONCURRENCY = 20;
const PYTHON = "/usr/bin/python3.11";
const here = (p: string) => new URL(p, import.meta.url).pathname;

function flag(name: string, dflt: string): string {
  const i = Deno.args.indexOf(name);
  return i === -1 ? dflt : Deno.args[i + 1];
}

// ---- one measurement, in this process -----------------------------------

function* oursGen(pipes: boolean): Generator<unknown, void, unknown> {
  const proc = yield* createSubprocessExec(
    "/bin/true",
    [],
    pipes ? { stdout: PIPE, stderr: PIPE } : {},
  );
  if (pipes) yield* proc.communicate();
  else yield* proc.wait();
  if (proc.returncode !== 0) throw new Error(`returncode ${proc.returncode}`);
}

async function oursAsync(pipes: boolean): Promise<void> {
  const proc = await createSubprocessExec(
    "/bin/true",
    [],
    pipes ? { stdout: PIPE, stderr: PIPE } : {},
  );
  if (pipes) await proc.communicate();
  else await proc.wait();
  if (proc.returncode !== 0) throw new Error(`returncode ${proc.returncode}`);
}

async function denoCommand(pipes: boolean): Promise<void> {
  const cmd = new Deno.Command("/bin/true", {
    stdin: pipes ? "null" : "inherit",
    stdout: pipes ? "piped" : "inherit",
    stderr: pipes ? "piped" : "inherit",
  });
  const status = pipes ? await cmd.output() : await cmd.spawn().status;
  if (status.code !== 0) throw new Error(`code ${status.code}`);
}

// getrusage(RUSAGE_SELF): every thread of this process, children excluded
// (the same call Python's resource module and Node's cpuUsage() make).
// struct rusage starts with ru_utime and ru_stime, each {tv_sec, tv_usec}
// as two 64-bit longs.
let rusage: ((who: number, buf: BigInt64Array) => number) | null = null;

/** CPU time of this process's threads so far, in ns. */
function cpuNs(): number {
  rusage ??=
    Deno.dlopen(Deno.build.os === "linux" ? "libc.so.6" : "libSystem.B.dylib", {
      getrusage: { parameters: ["i32", "buffer"], result: "i32" },
    }).symbols.getrusage;
  const buf = new BigInt64Array(18);
  if (rusage(0, buf) !== 0) return NaN;
  const us = (buf[0] + buf[2]) * 1_000_000n + buf[1] + buf[3];
  return Number(us) * 1000;
}

async function measure(impl: string, mode: string, n: number): Promise<void> {
  const pipes = mode.endsWith("pipe");
  const workers = mode.startsWith("conc") ? CONCURRENCY : 1;
  const per = Math.floor(n / workers);
  let t0 = 0;
  let t1 = 0;
  const cpu0 = cpuNs();
  // CPU at the half-way spawn: the second half has no first-use costs
  // (library loading, JIT compilation), which weigh on a short run.
  const half = Math.floor((per * workers) / 2);
  let done = 0;
  let cpuHalf = NaN;
  const tick = () => {
    if (++done === half) cpuHalf = cpuNs();
  };
  if (impl === "ours-gen") {
    await run(function* () {
      t0 = performance.now();
      yield* gather(
        ...Array.from({ length: workers }, () =>
          function* () {
            for (let i = 0; i < per; i++) {
              yield* oursGen(pipes);
              tick();
            }
          }()),
      );
      t1 = performance.now();
    });
  } else if (impl === "ours-async") {
    await run(async () => {
      t0 = performance.now();
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let i = 0; i < per; i++) {
            await oursAsync(pipes);
            tick();
          }
        }),
      );
      t1 = performance.now();
    });
  } else if (impl === "deno-command") {
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let i = 0; i < per; i++) {
          await denoCommand(pipes);
          tick();
        }
      }),
    );
    t1 = performance.now();
  } else throw new RangeError(`Unknown impl ${impl}`);
  const s = seconds(t0, t1);
  const cpu1 = cpuNs();
  report({
    bench: "subprocess",
    impl,
    mode,
    n: per * workers,
    seconds: s,
    per_sec: (per * workers) / s,
    cpu_us_per_spawn: (cpu1 - cpu0) / 1000 / (per * workers),
    cpu_us_per_spawn_2nd_half: (cpu1 - cpuHalf) / 1000 /
      (per * workers - half),
  });
}

// ---- the runner -------------------------------------------------------------

interface Impl {
  name: string;
  cmd: string[];
}

function impls(n: number): Impl[] {
  const deno = [Deno.execPath(), "run", "--allow-ffi", "--allow-read"];
  const list: Impl[] = [
    {
      name: "ours-gen",
      cmd: [...deno, here("./spawn.ts"), "--impl", "ours-gen"],
    },
    {
      name: "ours-async",
      cmd: [...deno, here("./spawn.ts"), "--impl", "ours-async"],
    },
    {
      name: "deno-command",
      cmd: [
        ...deno,
        "--allow-run=/bin/true",
        here("./spawn.ts"),
        "--impl",
        "deno-command",
      ],
    },
  ];
  if (exists(PYTHON)) {
    list.push({ name: "asyncio", cmd: [PYTHON, here("./python/spawn.py")] });
    list.push({
      name: "uvloop",
      cmd: [PYTHON, here("./python/spawn.py"), "--uvloop"],
    });
  }
  list.push({ name: "node", cmd: ["node", here("./js/spawn.mjs")] });
  return list.map((i) => ({ ...i, cmd: [...i.cmd, "-n", String(n)] }));
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

interface Sample {
  rate: number;
  cpu: number;
  cpu2: number;
}

async function runOne(impl: Impl, mode: string): Promise<Sample | null> {
  const [bin, ...args] = impl.cmd;
  try {
    const out = await new Deno.Command(bin, {
      args: [...args, "--mode", mode],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n");
    const line = JSON.parse(text[text.length - 1]);
    return {
      rate: line.per_sec,
      cpu: line.cpu_us_per_spawn ?? NaN,
      cpu2: line.cpu_us_per_spawn_2nd_half ?? NaN,
    };
  } catch (err) {
    console.error(`  ${impl.name} ${mode}: ${err}`);
    return null;
  }
}

async function runner(): Promise<void> {
  const n = Number(flag("-n", "500"));
  const rounds = Number(flag("--rounds", "1"));
  const list = impls(n);
  const rates = new Map<string, number[]>();
  const cpus = new Map<string, number[]>();
  const cpus2 = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const mode of MODES) {
      for (const impl of list) {
        const sample = await runOne(impl, mode);
        if (sample === null) continue;
        const key = `${impl.name} ${mode}`;
        rates.set(key, [...(rates.get(key) ?? []), sample.rate]);
        cpus.set(key, [...(cpus.get(key) ?? []), sample.cpu]);
        cpus2.set(key, [...(cpus2.get(key) ?? []), sample.cpu2]);
      }
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  console.log(
    `spawn + wait of /bin/true, n=${n}, ${rounds} round(s); spawns/s (median)`,
  );
  console.log(
    ["mode".padEnd(14), ...list.map((i) => i.name.padStart(13)), "  target"]
      .join(""),
  );
  for (const mode of MODES) {
    const row = list.map((i) => {
      const xs = rates.get(`${i.name} ${mode}`);
      return xs ? median(xs) : NaN;
    });
    const ours = Math.max(row[0], row[1]);
    const peers = row.slice(2).filter((x) => !Number.isNaN(x));
    const best = Math.max(...peers);
    const ratio = ours / best;
    console.log(
      [
        mode.padEnd(14),
        ...row.map((x) => (Number.isNaN(x) ? "-" : x.toFixed(0)).padStart(13)),
        `  ${ratio.toFixed(2)}x best peer: ${ratio >= 1.1 ? "MET" : "NOT MET"}`,
      ].join(""),
    );
  }
  const cpuTable = (title: string, table: Map<string, number[]>) => {
    console.log(`\n${title}`);
    for (const mode of MODES) {
      const row = list.map((i) => {
        const xs = table.get(`${i.name} ${mode}`);
        return xs ? median(xs) : NaN;
      });
      console.log(
        [
          mode.padEnd(14),
          ...row.map((x) =>
            (Number.isNaN(x) ? "-" : x.toFixed(0)).padStart(13)
          ),
        ].join(""),
      );
    }
  };
  cpuTable(
    "parent's own CPU per spawn, µs (median; children not included)",
    cpus,
  );
  cpuTable(
    "the same over the second half of the spawns (no first-use costs)",
    cpus2,
  );
}

if (import.meta.main) {
  const impl = flag("--impl", "");
  if (impl === "") await runner();
  else {
    await measure(
      impl,
      flag("--mode", "seq-inherit"),
      Number(flag("-n", "500")),
    );
  }
}
