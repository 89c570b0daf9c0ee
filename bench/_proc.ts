/**
 * What the server benchmarks (echo, HTTP) share: starting a server pinned
 * to a CPU and reading the port it prints, its CPU time from
 * `/proc/PID/stat`, and medians.
 *
 * @module
 */

/** USER_HZ on Linux: the unit of utime/stime in /proc/PID/stat. */
export const CLK_TCK = 100;

/** utime + stime of `pid`, in clock ticks. */
export function cpuTicks(pid: number): number {
  // Deno 2.9 wants --allow-all to read /proc; cat needs only --allow-run.
  const stat = new TextDecoder().decode(
    new Deno.Command("cat", { args: [`/proc/${pid}/stat`] }).outputSync()
      .stdout,
  );
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5); 3 is fields[0] here.
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Start `cmd` pinned to `cpu`, wait for it to print `PORT <n>`, and keep
 * draining its stdout (so it never blocks on a full pipe).
 */
export async function startServer(
  cmd: string[],
  cpu: number,
): Promise<[Deno.ChildProcess, number]> {
  const proc = new Deno.Command("taskset", {
    args: ["-c", String(cpu), ...cmd],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const m = /PORT (\d+)/.exec(text);
    if (m) {
      (async () => {
        try {
          while (!(await reader.read()).done) { /* drain */ }
        } catch { /* closed */ }
      })();
      return [proc, Number(m[1])];
    }
  }
  await stopServer(proc);
  throw new Error(`Server did not print its port: ${JSON.stringify(text)}`);
}

/** Kill a server started by {@linkcode startServer} and reap it. */
export async function stopServer(proc: Deno.ChildProcess): Promise<void> {
  try {
    proc.kill("SIGKILL");
  } catch { /* gone */ }
  await proc.status;
}

/** Resolve after `s` seconds. */
export const sleep = (s: number): Promise<void> =>
  new Promise((r) => setTimeout(r, s * 1000));

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median, min and max. */
export interface Spread {
  med: number;
  min: number;
  max: number;
}

/** The spread of `xs`. */
export function spread(xs: number[]): Spread {
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** `med [min-max]` with `d` decimals. */
export const fmt = (v: Spread, d = 0): string =>
  `${v.med.toFixed(d)} [${v.min.toFixed(d)}-${v.max.toFixed(d)}]`;

/** Whether `cmd` runs and exits 0. */
export function has(cmd: string[]): boolean {
  try {
    return new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** The value of `--name` in the arguments, or `def`. */
export function flag(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? def : Deno.args[i + 1];
}
