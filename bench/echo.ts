/**
 * The echo benchmark (WORKLOADS.md "Echo workloads", "echo / sock", "echo /
 * CPU"): every echo server side by side, interleaved inside each round,
 * server pinned to CPU 0 and `echoload` to CPU 1, server CPU time read from
 * `/proc/PID/stat` around the measured window. Writes
 * `bench/results/<date>-echo.{json,md}` with medians [min-max] and each
 * target MET / NOT MET.
 *
 * `bash bench/setup.sh && npx deno task bench:echo [--rounds 3] [--window 5]
 *  [--warmup 1] [--only ours-protocol,uvloop-protocol] [--configs 10x1024]`
 *
 * @module
 */

const PY = "/usr/bin/python3.11";
const ECHOLOAD = "bench/bin/echoload";
const CLK_TCK = 100; // USER_HZ on Linux

interface ServerDef {
  name: string;
  cmd: string[];
}

function flag(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? def : Deno.args[i + 1];
}

function has(cmd: string[]): boolean {
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

const deno = Deno.execPath();
const servers: ServerDef[] = [
  {
    name: "ours-protocol",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server.ts", "protocol"],
  },
  {
    name: "ours-sock",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server.ts", "sock"],
  },
  {
    name: "deno-native",
    cmd: [deno, "run", "--allow-net=127.0.0.1", "bench/js/echo_server.mjs"],
  },
];
if (has([PY, "-c", "import uvloop"])) {
  for (const v of ["protocol", "streams", "sock"]) {
    servers.push({
      name: `asyncio-${v}`,
      cmd: [PY, "bench/python/echo_server.py", v],
    });
    servers.push({
      name: `uvloop-${v}`,
      cmd: [PY, "bench/python/echo_server.py", v, "--uvloop"],
    });
  }
} else {console.error(
    "python3.11 with uvloop missing: skipping asyncio/uvloop (bash bench/setup.sh)",
  );}
if (has(["node", "--version"])) {
  servers.push({ name: "node-net", cmd: ["node", "bench/js/echo_server.mjs"] });
}

const only = flag("only", "");
const chosen = only === ""
  ? servers
  : servers.filter((s) => only.split(",").includes(s.name));
const configs = flag("configs", "10x1024,10x10240,10x102400,100x1024").split(
  ",",
).map((c) => {
  const [conns, size] = c.split("x").map(Number);
  return { conns, size, key: c };
});
const rounds = Number(flag("rounds", "3"));
const windowS = Number(flag("window", "5"));
const warmupS = Number(flag("warmup", "1"));

function cpuTicks(pid: number): number {
  // Deno 2.9 wants --allow-all to read /proc; cat needs only --allow-run.
  const stat = new TextDecoder().decode(
    new Deno.Command("cat", { args: [`/proc/${pid}/stat`] }).outputSync()
      .stdout,
  );
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5); 3 is fields[0] here.
  return Number(fields[11]) + Number(fields[12]);
}

async function readPort(
  proc: Deno.ChildProcess,
): Promise<[number, ReadableStreamDefaultReader<Uint8Array>]> {
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const m = /PORT (\d+)/.exec(text);
    if (m) return [Number(m[1]), reader];
  }
  throw new Error(`Server did not print its port: ${JSON.stringify(text)}`);
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

interface Row {
  server: string;
  config: string;
  round: number;
  requests_per_s: number;
  p50_us: number;
  p99_us: number;
  cpu_us_per_req: number;
  verified: boolean;
}

async function one(
  def: ServerDef,
  conns: number,
  size: number,
  key: string,
  round: number,
): Promise<Row> {
  const proc = new Deno.Command("taskset", {
    args: ["-c", "0", ...def.cmd],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const [port, reader] = await readPort(proc);
    // Keep draining the server's stdout so it never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* drain */ }
      } catch { /* closed */ }
    })();
    const load = new Deno.Command("taskset", {
      args: [
        "-c",
        "1",
        ECHOLOAD,
        "127.0.0.1",
        String(port),
        String(conns),
        String(size),
        String(windowS),
        String(warmupS),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    await sleep(warmupS);
    const c0 = cpuTicks(proc.pid);
    await sleep(windowS);
    const c1 = cpuTicks(proc.pid);
    const out = JSON.parse(
      new TextDecoder().decode((await load.output()).stdout),
    );
    const requests = out.requests as number;
    return {
      server: def.name,
      config: key,
      round,
      requests_per_s: out.requests_per_s,
      p50_us: out.p50_us,
      p99_us: out.p99_us,
      cpu_us_per_req: requests > 0
        ? ((c1 - c0) / CLK_TCK) * 1e6 / requests
        : NaN,
      verified: out.verified,
    };
  } finally {
    try {
      proc.kill("SIGKILL");
    } catch { /* gone */ }
    await proc.status;
  }
}

const rows: Row[] = [];
for (let r = 0; r < rounds; r++) {
  for (const c of configs) {
    for (const def of chosen) {
      const row = await one(def, c.conns, c.size, c.key, r);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function stat(
  server: string,
  config: string,
  field: keyof Row,
): { med: number; min: number; max: number } {
  const xs = rows.filter((x) => x.server === server && x.config === config).map(
    (x) => x[field] as number,
  );
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}
const fmt = (v: { med: number; min: number; max: number }, d = 0) =>
  `${v.med.toFixed(d)} [${v.min.toFixed(d)}-${v.max.toFixed(d)}]`;

const lines: string[] = [];
const date = new Date().toISOString().slice(0, 10);
lines.push(`# Echo benchmark, ${date}`, "");
lines.push(
  `${rounds} round(s), ${warmupS} s warm-up + ${windowS} s window, server on CPU 0, echoload on CPU 1; medians [min-max]. A noisy shared host: compare ratios within this run only.`,
  "",
);
for (const c of configs) {
  lines.push(`## ${c.conns} connections x ${c.size} B`, "");
  lines.push(
    "| server | req/s | p50 µs | p99 µs | server CPU µs/req |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const def of chosen) {
    if (!rows.some((x) => x.server === def.name && x.config === c.key)) {
      continue;
    }
    lines.push(
      `| ${def.name} | ${fmt(stat(def.name, c.key, "requests_per_s"))} | ${
        fmt(stat(def.name, c.key, "p50_us"), 1)
      } | ${fmt(stat(def.name, c.key, "p99_us"), 1)} | ${
        fmt(stat(def.name, c.key, "cpu_us_per_req"), 2)
      } |`,
    );
  }
  lines.push("");
}
const names = new Set(chosen.map((s) => s.name));
lines.push("## Targets", "");
const verdict = (ok: boolean) => ok ? "MET" : "NOT MET";
for (const c of configs) {
  if (names.has("ours-protocol") && names.has("uvloop-protocol")) {
    const o = (f: keyof Row) => stat("ours-protocol", c.key, f).med;
    const u = (f: keyof Row) => stat("uvloop-protocol", c.key, f).med;
    const rps = o("requests_per_s") / u("requests_per_s");
    const p99 = o("p99_us") / u("p99_us");
    const cpu = o("cpu_us_per_req") / u("cpu_us_per_req");
    lines.push(
      `- ${c.key} protocol req/s >= 1.0x uvloop: ${rps.toFixed(2)}x — ${
        verdict(rps >= 1)
      }`,
    );
    lines.push(
      `- ${c.key} protocol p99 <= 1.2x uvloop: ${p99.toFixed(2)}x — ${
        verdict(p99 <= 1.2)
      }`,
    );
    lines.push(
      `- ${c.key} protocol CPU/req <= uvloop: ${cpu.toFixed(2)}x — ${
        verdict(cpu <= 1)
      }`,
    );
  }
  if (names.has("ours-sock") && names.has("uvloop-sock")) {
    const r = stat("ours-sock", c.key, "requests_per_s").med /
      stat("uvloop-sock", c.key, "requests_per_s").med;
    lines.push(
      `- ${c.key} sock* req/s >= 1.5x uvloop sock_recv/sock_sendall: ${
        r.toFixed(2)
      }x — ${verdict(r >= 1.5)}`,
    );
  }
}
lines.push(
  "- memory per idle connection <= uvloop's: not measured by this script yet",
  "",
  `Every run verified by echoload (no lost or mixed-up bytes): ${
    rows.every((r) => r.verified)
  }`,
);
Deno.mkdirSync("bench/results", { recursive: true });
Deno.writeTextFileSync(
  `bench/results/${date}-echo.json`,
  JSON.stringify(rows, null, 1),
);
Deno.writeTextFileSync(
  `bench/results/${date}-echo.md`,
  lines.join("\n") + "\n",
);
console.log(lines.join("\n"));
