/**
 * Shared pieces of the benchmark scripts: argument parsing, the mulberry32
 * delays of WORKLOADS.md, and the one-JSON-line report.
 *
 * @module
 */

/** The canonical N of each workload (WORKLOADS.md). */
export const DEFAULT_N: Record<string, number> = {
  callbacks: 1_000_000,
  sleep0: 1_000_000,
  spawn: 100_000,
  pingpong: 500_000,
  queue: 1_000_000,
  timers: 200_000,
  lock: 10_000, // per task, 100 tasks
};

/** Every workload name, in report order. */
export const WORKLOADS: string[] = Object.keys(DEFAULT_N);

/** Parsed command line: `<workload> [-n N] [--form gen|async] [--yield ...]`. */
export interface BenchArgs {
  workload: string;
  n: number;
  flags: Map<string, string>;
}

/** Parse `args` (Deno.args or process.argv.slice(2)). */
export function parseArgs(args: string[]): BenchArgs {
  const workload = args[0];
  if (workload === undefined || !(workload in DEFAULT_N)) {
    throw new RangeError(
      `Unknown workload ${workload}: use one of ${WORKLOADS.join(", ")}`,
    );
  }
  const flags = new Map<string, string>();
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("-")) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("-")) {
        flags.set(a.replace(/^-+/, ""), next);
        i++;
      } else flags.set(a.replace(/^-+/, ""), "true");
    }
  }
  const n = flags.has("n") ? Number(flags.get("n")) : DEFAULT_N[workload];
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`Bad -n ${flags.get("n")}: give a positive integer`);
  }
  return { workload, n, flags };
}

/** mulberry32(12345) delays in ms, in [0, 50) (WORKLOADS.md). */
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

/** Seconds between two `performance.now()` readings. */
export function seconds(t0: number, t1: number): number {
  return (t1 - t0) / 1000;
}

/** Print the one JSON line of a run. */
export function report(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}
