/**
 * The HTTP hello benchmark (WORKLOADS.md "HTTP hello"): keep-alive
 * HTTP/1.1 `Hello, World!` under `wrk -t1 -c100`, every server side by
 * side, interleaved inside each round, server pinned to CPU 0 and `wrk` to
 * CPU 1, server CPU time read from `/proc/PID/stat` around the measured
 * run. Writes `bench/results/<date>-http.{json,md}` with medians [min-max]
 * and the targets (issue 12) MET / NOT MET.
 *
 * Servers: ours on a protocol and on streams (bench/http_server.ts, the
 * servers of examples/), `Deno.serve`, Node's `http`, and asyncio/uvloop
 * with httptools (Debian's python3-httptools), when present.
 *
 * `npx deno task bench:http [--rounds 3] [--window 5] [--warmup 1]
 *  [--conns 100] [--only ours-protocol,deno-serve] [--before DIR]`
 *
 * `--before DIR` adds `before-protocol` and `before-streams`: our servers
 * from another checkout (e.g. `git worktree add --detach DIR <commit>`),
 * for a before/after measured in the same run.
 *
 * @module
 */

import {
  CLK_TCK,
  cpuTicks,
  flag,
  fmt,
  has,
  type Spread,
  spread,
  startServer,
  stopServer,
} from "./_proc.ts";

const PY = "/usr/bin/python3.11";
const deno = Deno.execPath();

interface ServerDef {
  name: string;
  cmd: string[];
}

const servers: ServerDef[] = [
  {
    name: "ours-protocol",
    cmd: [deno, "run", "--allow-ffi", "bench/http_server.ts", "protocol"],
  },
  {
    name: "ours-streams",
    cmd: [deno, "run", "--allow-ffi", "bench/http_server.ts", "streams"],
  },
  {
    name: "deno-serve",
    cmd: [deno, "run", "--allow-net=127.0.0.1", "bench/js/http_server.mjs"],
  },
];
const before = flag("before", "");
if (before !== "") {
  for (const v of ["protocol", "streams"]) {
    servers.push({
      name: `before-${v}`,
      cmd: [
        deno,
        "run",
        "--allow-ffi",
        `${before}/bench/http_server.ts`,
        v,
      ],
    });
  }
}
if (has([PY, "-c", "import uvloop, httptools"])) {
  servers.push(
    { name: "asyncio-httptools", cmd: [PY, "bench/python/http_server.py"] },
    {
      name: "uvloop-httptools",
      cmd: [PY, "bench/python/http_server.py", "--uvloop"],
    },
  );
} else {
  console.error(
    "python3.11 with uvloop and httptools missing: skipping them (apt-get install python3-uvloop python3-httptools)",
  );
}
if (has(["node", "--version"])) {
  servers.push({
    name: "node-http",
    cmd: ["node", "bench/js/http_server.mjs"],
  });
}
if (!has(["wrk", "--version"]) && !has(["which", "wrk"])) {
  throw new Error("wrk is missing: apt-get install wrk");
}

const only = flag("only", "");
const chosen = only === ""
  ? servers
  : servers.filter((s) => only.split(",").includes(s.name));
const rounds = Number(flag("rounds", "3"));
const windowS = Number(flag("window", "5"));
const warmupS = Number(flag("warmup", "1"));
const conns = Number(flag("conns", "100"));

interface Row {
  server: string;
  round: number;
  requests_per_s: number;
  p99_us: number;
  cpu_us_per_req: number;
  errors: number;
}

function wrk(port: number, seconds: number): string {
  const out = new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      "wrk",
      "-t1",
      `-c${conns}`,
      `-d${seconds}s`,
      "--latency",
      `http://127.0.0.1:${port}/`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).outputSync();
  return new TextDecoder().decode(out.stdout);
}

/** A wrk duration ("1.44ms") in microseconds. */
function micros(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (m === null) return NaN;
  const unit = { us: 1, ms: 1e3, s: 1e6, m: 6e7 }[m[2]]!;
  return Number(m[1]) * unit;
}

async function one(def: ServerDef, round: number): Promise<Row> {
  const [proc, port] = await startServer(def.cmd, 0);
  try {
    if (warmupS > 0) wrk(port, warmupS);
    const c0 = cpuTicks(proc.pid);
    const out = wrk(port, windowS);
    const c1 = cpuTicks(proc.pid);
    const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
    const p99 = micros(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? "");
    const errs =
      /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
        .exec(out);
    const non2xx = Number(
      /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0,
    );
    const errors = non2xx +
      (errs ? errs.slice(1).reduce((a, x) => a + Number(x), 0) : 0);
    return {
      server: def.name,
      round,
      requests_per_s: rps,
      p99_us: p99,
      cpu_us_per_req: ((c1 - c0) / CLK_TCK) * 1e6 / requests,
      errors,
    };
  } finally {
    await stopServer(proc);
  }
}

const rows: Row[] = [];
for (let r = 0; r < rounds; r++) {
  // Odd rounds run the servers in reverse: no server always follows the
  // same one (a warm or a busy CPU).
  for (const def of r % 2 === 0 ? chosen : [...chosen].reverse()) {
    const row = await one(def, r);
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}

const stat = (server: string, field: keyof Row): Spread =>
  spread(
    rows.filter((x) => x.server === server).map((x) => x[field] as number),
  );

const date = new Date().toISOString().slice(0, 10);
const lines = [
  `# HTTP hello benchmark, ${date}`,
  "",
  `${rounds} round(s), \`wrk -t1 -c${conns}\`, ${warmupS} s warm-up + ${windowS} s window, server on CPU 0, wrk on CPU 1; medians [min-max]. wrk nears its own limit around 120k req/s here: compare server CPU per request too. A noisy shared host: compare ratios within this run only.`,
  "",
  "| server | req/s | p99 µs | server CPU µs/req | errors |",
  "| --- | --- | --- | --- | --- |",
];
for (const def of chosen) {
  lines.push(
    `| ${def.name} | ${fmt(stat(def.name, "requests_per_s"))} | ${
      fmt(stat(def.name, "p99_us"))
    } | ${fmt(stat(def.name, "cpu_us_per_req"), 2)} | ${
      stat(def.name, "errors").max
    } |`,
  );
}
const names = new Set(chosen.map((s) => s.name));
const verdict = (ok: boolean) => ok ? "MET" : "NOT MET";
lines.push("", "## Targets", "");
if (names.has("ours-protocol") && names.has("deno-serve")) {
  const o = (f: keyof Row) => stat("ours-protocol", f).med;
  const d = (f: keyof Row) => stat("deno-serve", f).med;
  const rps = o("requests_per_s") / d("requests_per_s");
  const cpu = o("cpu_us_per_req") / d("cpu_us_per_req");
  lines.push(
    `- protocol req/s >= 1.0x Deno.serve: ${rps.toFixed(2)}x — ${
      verdict(rps >= 1)
    }`,
    `- protocol CPU/req <= Deno.serve: ${cpu.toFixed(2)}x — ${
      verdict(cpu <= 1)
    }`,
  );
}
for (const v of ["protocol", "streams"]) {
  if (!names.has(`ours-${v}`) || !names.has(`before-${v}`)) continue;
  const ratio = (f: keyof Row) =>
    stat(`ours-${v}`, f).med / stat(`before-${v}`, f).med;
  lines.push(
    `- ${v}, this tree / before: req/s ${
      ratio("requests_per_s").toFixed(2)
    }x, CPU/req ${ratio("cpu_us_per_req").toFixed(2)}x`,
  );
}
Deno.mkdirSync("bench/results", { recursive: true });
Deno.writeTextFileSync(
  `bench/results/${date}-http.json`,
  JSON.stringify(rows, null, 1),
);
Deno.writeTextFileSync(
  `bench/results/${date}-http.md`,
  lines.join("\n") + "\n",
);
console.log(lines.join("\n"));
