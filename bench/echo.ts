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
 * `--base DIR` adds our servers from another checkout (base-protocol,
 * base-sock, base-streams: a before/after in one run).
 * `npx deno task bench:echo --idle 10000`: server memory per idle connection
 * (RSS growth / N, the connections held by `bench/python/idle_clients.py`).
 *
 * @module
 */

import {
  CLK_TCK,
  cpuTicks,
  flag,
  fmt,
  has,
  sleep,
  type Spread,
  spread,
  startServer,
  stopServer,
} from "./_proc.ts";

const PY = "/usr/bin/python3.11";
// --tls: the TLS echo workload (WORKLOADS.md "TLS echo"): TLS servers,
// echoload_tls, and the "hs" config (handshakes: connect, handshake, one
// 1 KiB echo, close, repeated).
const TLS = Deno.args.includes("--tls");
const ECHOLOAD = TLS ? "bench/bin/echoload_tls" : "bench/bin/echoload";

interface ServerDef {
  name: string;
  cmd: string[];
}

const deno = Deno.execPath();
const servers: ServerDef[] = [
  {
    name: "ours-protocol",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server.ts", "protocol"],
  },
  {
    name: "ours-buffered",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server.ts", "buffered"],
  },
  {
    name: "ours-sock",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server.ts", "sock"],
  },
  {
    name: "deno-native",
    cmd: [deno, "run", "--allow-net=127.0.0.1", "bench/js/echo_server.mjs"],
  },
  // ---- streams (bench/echo_server_streams.ts) ----
  {
    name: "ours-streams",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server_streams.ts"],
  },
  {
    name: "ours-streams-async",
    cmd: [deno, "run", "--allow-ffi", "bench/echo_server_streams.ts", "async"],
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
// --base DIR: our servers as another checkout builds them (e.g. a worktree
// of the commit before a change), as base-protocol / base-sock / base-streams, interleaved
// with ours so a before/after ratio comes from one run.
const baseDir = flag("base", "");
if (baseDir !== "") {
  for (const v of ["protocol", "sock"]) {
    servers.push({
      name: `base-${v}`,
      cmd: [deno, "run", "--allow-ffi", `${baseDir}/bench/echo_server.ts`, v],
    });
  }
  servers.push({
    name: "base-streams",
    cmd: [
      deno,
      "run",
      "--allow-ffi",
      `${baseDir}/bench/echo_server_streams.ts`,
    ],
  });
}

if (TLS) servers.splice(0, servers.length, ...tlsServers());

function tlsServers(): ServerDef[] {
  const list: ServerDef[] = [{
    name: "ours-tls",
    cmd: [
      deno,
      "run",
      "--allow-ffi",
      "--allow-read",
      "bench/tls_echo_server.ts",
    ],
  }, {
    name: "deno-listenTls",
    cmd: [
      deno,
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "bench/js/tls_echo_server.mjs",
    ],
  }];
  if (has([PY, "-c", "import uvloop"])) {
    list.push({
      name: "asyncio-tls",
      cmd: [PY, "bench/python/tls_echo_server.py"],
    });
    list.push({
      name: "uvloop-tls",
      cmd: [PY, "bench/python/tls_echo_server.py", "--uvloop"],
    });
  }
  if (has(["node", "--version"])) {
    list.push({
      name: "node-tls",
      cmd: ["node", "bench/js/tls_echo_server.mjs"],
    });
  }
  return list;
}

const only = flag("only", "");
const chosen = only === ""
  ? servers
  : servers.filter((s) => only.split(",").includes(s.name));
const configs = flag(
  "configs",
  TLS ? "10x1024,10x16384,hs" : "10x1024,10x10240,10x102400,100x1024",
).split(
  ",",
).map((c) => {
  const [conns, size] = c === "hs" ? [1, 1024] : c.split("x").map(Number);
  return { conns, size, key: c };
});
const rounds = Number(flag("rounds", "3"));
const windowS = Number(flag("window", "5"));
const warmupS = Number(flag("warmup", "1"));

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
  const [proc, port] = await startServer(def.cmd, 0);
  try {
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
        ...(key === "hs" ? ["handshake"] : []),
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
    // In handshake mode a "request" is a whole connection.
    const requests = (out.requests ?? out.handshakes) as number;
    return {
      server: def.name,
      config: key,
      round,
      requests_per_s: out.requests_per_s ?? out.handshakes_per_s,
      p50_us: out.p50_us,
      p99_us: out.p99_us,
      cpu_us_per_req: requests > 0
        ? ((c1 - c0) / CLK_TCK) * 1e6 / requests
        : NaN,
      verified: out.verified,
    };
  } finally {
    await stopServer(proc);
  }
}

/** VmRSS, or with `field` another line of `/proc/PID/status` (KiB). */
function rssKiB(pid: number, field = "VmRSS"): number {
  const status = new TextDecoder().decode(
    new Deno.Command("cat", { args: [`/proc/${pid}/status`] }).outputSync()
      .stdout,
  );
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
}

/**
 * The kernel's count of connections dropped because a listener's accept
 * queue was full (TcpExt ListenOverflows in /proc/net/netstat, the whole
 * host's), or NaN where it cannot be read.
 */
function listenOverflows(): number {
  try {
    // Through cat: Deno asks for --allow-all to read /proc/net itself.
    const text = new TextDecoder().decode(
      new Deno.Command("cat", { args: ["/proc/net/netstat"] }).outputSync()
        .stdout,
    );
    const lines = text.split("\n").filter((l) => l.startsWith("TcpExt:"));
    const names = lines[0].split(/\s+/), values = lines[1].split(/\s+/);
    return Number(values[names.indexOf("ListenOverflows")]);
  } catch {
    return NaN;
  }
}

/**
 * Open `n` idle connections to `port` from another process (pinned to CPU
 * 1); resolves once all are established, with a function that closes them.
 */
async function holdClients(
  port: number,
  n: number,
): Promise<() => Promise<void>> {
  const clients = new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      PY,
      "bench/python/idle_clients.py",
      String(port),
      String(n),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = clients.stdout.getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await out.read();
    if (done) throw new Error("idle_clients.py ended before it was ready");
    text += new TextDecoder().decode(value);
  }
  return async () => {
    await clients.stdin.close();
    await clients.status;
    out.releaseLock();
  };
}

/**
 * Server RSS growth per idle connection (KiB), N held by another process.
 * Two figures, the same for every server: `kib_per_conn`, measured after a
 * warm-up batch of N/10 connections was opened and closed (what one more
 * connection costs: the code of accepting and the heap's first growth are
 * paged in by then), and `cold_kib_per_conn`, the warm-up batch's own
 * growth per connection (everything the first connections touch).
 * `anon_kib_per_conn` counts anonymous memory only (RssAnon: heap, not the
 * binary's code pages that accepting pages in).
 */
async function idle(
  def: ServerDef,
  n: number,
): Promise<
  {
    server: string;
    kib_per_conn: number;
    anon_kib_per_conn: number;
    cold_kib_per_conn: number;
    accept_s: number;
    listen_overflows: number;
  }
> {
  const [proc, port] = await startServer(def.cmd, 0);
  try {
    await sleep(0.5);
    const warm = Math.max(1, Math.round(n / 10));
    const cold = rssKiB(proc.pid);
    const closeWarm = await holdClients(port, warm);
    await sleep(1);
    const coldKiB = (rssKiB(proc.pid) - cold) / warm;
    await closeWarm();
    await sleep(1); // let the server see the warm-up connections go
    const before = rssKiB(proc.pid);
    const beforeAnon = rssKiB(proc.pid, "RssAnon");
    // accept_s is mostly SYN retransmissions: the client connects one at a
    // time, faster than a server accepts whenever the server is off its
    // CPU; once the accept queue (backlog 100, asyncio's default) is full
    // the kernel drops the SYN and the client retries 1 s later. Each
    // overflow counted here is about a second of accept_s.
    const o0 = listenOverflows();
    const t0 = performance.now();
    const close = await holdClients(port, n);
    const acceptS = (performance.now() - t0) / 1000;
    const overflows = listenOverflows() - o0;
    await sleep(1); // let the server accept the backlog and settle
    const after = rssKiB(proc.pid);
    const afterAnon = rssKiB(proc.pid, "RssAnon");
    await close();
    return {
      server: def.name,
      kib_per_conn: (after - before) / n,
      anon_kib_per_conn: (afterAnon - beforeAnon) / n,
      cold_kib_per_conn: coldKiB,
      accept_s: acceptS,
      listen_overflows: overflows,
    };
  } finally {
    try {
      proc.kill("SIGKILL");
    } catch { /* gone */ }
    await proc.status;
  }
}

const idleN = Number(flag("idle", "0"));
if (idleN > 0) {
  // Rounds interleave the servers; each figure is the median of its rounds.
  const runs: Awaited<ReturnType<typeof idle>>[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const def of chosen.filter((d) => !d.name.endsWith("-sock"))) {
      const one = await idle(def, idleN);
      runs.push(one);
      console.log(JSON.stringify({ ...one, round: r }));
    }
  }
  const med = (server: string, k: "kib_per_conn" | "anon_kib_per_conn") => {
    const xs = runs.filter((x) => x.server === server).map((x) => x[k]);
    return xs.length === 0 ? NaN : xs.sort((a, b) => a - b)[xs.length >> 1];
  };
  const [ours, uv] = ["ours-protocol", "uvloop-protocol"];
  if (!Number.isNaN(med(ours, "kib_per_conn") + med(uv, "kib_per_conn"))) {
    for (const k of ["kib_per_conn", "anon_kib_per_conn"] as const) {
      const o = med(ours, k), u = med(uv, k);
      console.log(
        `memory per idle connection <= uvloop's (${k}, median of ${rounds}): ${
          o.toFixed(2)
        } vs ${u.toFixed(2)} KiB — ${o <= u ? "MET" : "NOT MET"}`,
      );
    }
  }
  Deno.exit(0);
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

function stat(
  server: string,
  config: string,
  field: keyof Row,
): Spread {
  const xs = rows.filter((x) => x.server === server && x.config === config).map(
    (x) => x[field] as number,
  );
  return spread(xs);
}

const lines: string[] = [];
const date = new Date().toISOString().slice(0, 10);
lines.push(`# ${TLS ? "TLS echo" : "Echo"} benchmark, ${date}`, "");
lines.push(
  `${rounds} round(s), ${warmupS} s warm-up + ${windowS} s window, server on CPU 0, echoload on CPU 1; medians [min-max]. A noisy shared host: compare ratios within this run only.`,
  "",
);
for (const c of configs) {
  const hs = c.key === "hs";
  lines.push(
    hs
      ? "## Handshakes (connect, handshake, one 1 KiB echo, close; one at a time)"
      : `## ${c.conns} connections x ${c.size} B`,
    "",
  );
  lines.push(
    hs
      ? "| server | handshakes/s | p50 µs | p99 µs | server CPU µs/handshake |"
      : "| server | req/s | p50 µs | p99 µs | server CPU µs/req |",
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
for (const c of TLS ? configs : []) {
  const med = (server: string, f: keyof Row) => stat(server, c.key, f).med;
  for (const peer of ["uvloop-tls", "deno-listenTls"]) {
    if (!names.has("ours-tls") || !names.has(peer)) continue;
    const r = med("ours-tls", "requests_per_s") / med(peer, "requests_per_s");
    const cpu = med("ours-tls", "cpu_us_per_req") / med(peer, "cpu_us_per_req");
    const what = c.key === "hs" ? "handshakes/s" : "req/s";
    lines.push(
      `- ${c.key} TLS ${what} >= 1.0x ${peer}: ${r.toFixed(2)}x — ${
        verdict(r >= 1)
      }`,
    );
    if (c.key === "hs") {
      lines.push(
        `- hs server CPU per handshake <= ${peer}: ${cpu.toFixed(2)}x — ${
          verdict(cpu <= 1)
        }`,
      );
    }
  }
}
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
  if (names.has("ours-protocol") && names.has("base-protocol")) {
    const o = (f: keyof Row) => stat("ours-protocol", c.key, f).med;
    const b = (f: keyof Row) => stat("base-protocol", c.key, f).med;
    lines.push(
      `- ${c.key} protocol vs --base (not a target): req/s ${
        (o("requests_per_s") / b("requests_per_s")).toFixed(2)
      }x, p99 ${(o("p99_us") / b("p99_us")).toFixed(2)}x, CPU/req ${
        (o("cpu_us_per_req") / b("cpu_us_per_req")).toFixed(2)
      }x`,
    );
  }
  // ---- streams targets (issue 12) ----
  if (names.has("ours-streams") && names.has("uvloop-streams")) {
    const o = (f: keyof Row) => stat("ours-streams", c.key, f).med;
    const u = (f: keyof Row) => stat("uvloop-streams", c.key, f).med;
    const rps = o("requests_per_s") / u("requests_per_s");
    const p99 = o("p99_us") / u("p99_us");
    lines.push(
      `- ${c.key} streams req/s >= 1.2x uvloop streams: ${rps.toFixed(2)}x — ${
        verdict(rps >= 1.2)
      }`,
      `- ${c.key} streams p99 <= uvloop streams: ${p99.toFixed(2)}x — ${
        verdict(p99 <= 1)
      }`,
    );
  }
  if (names.has("ours-streams") && names.has("deno-native")) {
    const r = stat("ours-streams", c.key, "requests_per_s").med /
      stat("deno-native", c.key, "requests_per_s").med;
    lines.push(
      `- ${c.key} streams req/s >= 1.0x Deno native: ${r.toFixed(2)}x — ${
        verdict(r >= 1)
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
  "- memory per idle connection <= uvloop's: run with `--idle 10000`",
  "",
  `Every run verified by echoload (no lost or mixed-up bytes): ${
    rows.every((r) => r.verified)
  }`,
);
Deno.mkdirSync("bench/results", { recursive: true });
Deno.writeTextFileSync(
  `bench/results/${date}-echo${TLS ? "-tls" : ""}.json`,
  JSON.stringify(rows, null, 1),
);
Deno.writeTextFileSync(
  `bench/results/${date}-echo${TLS ? "-tls" : ""}.md`,
  lines.join("\n") + "\n",
);
console.log(lines.join("\n"));
