/**
 * `deno task bench:compare`: every implementation of every workload,
 * interleaved (A B C A B C ... for several rounds, one process per run, no
 * warm-up), then medians with [min-max], ratios against uvloop, asyncio and
 * the plain-JS floor, the targets met or not, and an SVG chart of ratios.
 *
 * Flags: `--rounds R` (default 3), `--only sleep0,spawn`, `--from FILE`
 * (rebuild the report and chart from a raw results file, measuring nothing).
 * Writes `bench/results/<date>.json`, `<date>.md` and `<date>-ratios.svg`.
 *
 * @module
 */

import { WORKLOADS } from "./_common.ts";
import { barChart, type RefLine, stackCharts } from "./_svg.ts";

const PY = "/usr/bin/python3.11";
const DENO = Deno.execPath();

/** One implementation: how to run workload `w`, or null when it has none. */
interface Impl {
  name: string;
  cmd: (w: string) => string[] | null;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function hasCommand(cmd: string[]): boolean {
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

const FORM_FREE = new Set(["callbacks", "timers"]);
// The selector override (ASYNCIO_SELECTOR=poll ...) reaches our runs.
const OURS_PERMS = ["--allow-ffi", "--allow-env=ASYNCIO_SELECTOR"];
const IMMEDIATE = new Set(["callbacks", "sleep0", "spawn", "lock"]);

function impls(): Impl[] {
  const list: Impl[] = [
    {
      name: "ours-gen",
      cmd: (
        w,
      ) => [DENO, "run", ...OURS_PERMS, "bench/ours.ts", w, "--form", "gen"],
    },
    {
      name: "ours-async",
      cmd: (w) =>
        FORM_FREE.has(w)
          ? null
          : [DENO, "run", ...OURS_PERMS, "bench/ours.ts", w, "--form", "async"],
    },
    {
      name: "js-microtask",
      cmd: (w) =>
        w === "timers" ? null : [DENO, "run", "bench/js/workloads.mjs", w],
    },
    {
      name: "js-immediate",
      cmd: (w) =>
        IMMEDIATE.has(w)
          ? [DENO, "run", "bench/js/workloads.mjs", w, "--yield", "immediate"]
          : null,
    },
    {
      name: "js-settimeout-deno",
      cmd: (w) =>
        w === "timers" ? [DENO, "run", "bench/js/workloads.mjs", w] : null,
    },
  ];
  if (hasCommand(["node", "--version"])) {
    list.push({
      name: "js-settimeout-node",
      cmd: (w) => w === "timers" ? ["node", "bench/js/workloads.mjs", w] : null,
    });
  } else {
    console.error("node not found: skipping Node's setTimeout on timers");
  }
  if (!exists(PY)) {
    console.error(`${PY} not found: skipping Python (run bash bench/setup.sh)`);
  } else {
    list.push({
      name: "asyncio",
      cmd: (w) => [PY, "bench/python/workloads.py", w],
    });
    if (hasCommand([PY, "-c", "import uvloop"])) {
      list.push({
        name: "uvloop",
        cmd: (w) => [PY, "bench/python/workloads.py", w, "--uvloop"],
      });
    } else {
      console.error(
        "uvloop not installed for python3.11: skipping (run bash bench/setup.sh)",
      );
    }
  }
  return list;
}

/** The 1, 5 and 15 minute load averages (needs --allow-sys=loadavg). */
function loadAverage(): string {
  try {
    return Deno.loadavg().map((x) => x.toFixed(2)).join(", ");
  } catch {
    return "unknown (run with --allow-sys=loadavg)";
  }
}

/** The checked-out commit (from .git, no git process), or "unknown". */
function headCommit(): string {
  try {
    const head = Deno.readTextFileSync(".git/HEAD").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return Deno.readTextFileSync(`.git/${ref}`).trim().slice(0, 12);
    } catch {
      const packed = Deno.readTextFileSync(".git/packed-refs");
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line?.slice(0, 12) ?? "unknown";
    }
  } catch {
    return "unknown";
  }
}

/** Versions of the peers that will run, for the report's header. */
function peerVersions(list: Impl[]): string[] {
  const names = new Set(list.map((i) => i.name));
  const out = [`Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`];
  const say = (cmd: string[]) => {
    try {
      const o = new Deno.Command(cmd[0], { args: cmd.slice(1) }).outputSync();
      return new TextDecoder().decode(o.stdout).trim();
    } catch {
      return "?";
    }
  };
  if (names.has("asyncio")) {
    const py = [
      PY,
      "-c",
      "import sys; print('Python ' + sys.version.split()[0])",
    ];
    out.push(say(py));
  }
  if (names.has("uvloop")) {
    out.push(
      say([PY, "-c", "import uvloop; print('uvloop', uvloop.__version__)"]),
    );
  }
  if (names.has("js-settimeout-node")) {
    out.push(`Node ${say(["node", "--version"])}`);
  }
  return out;
}

/** The reported metric rows: [workload, field, label, lower is better]. */
const ROWS: Array<[string, string, string, boolean]> = [
  ["callbacks", "chain_per_s", "callbacks chain (/s)", false],
  ["callbacks", "batch_per_s", "callbacks batch (/s)", false],
  ["sleep0", "switches_per_s", "sleep0 (/s)", false],
  ["spawn", "tasks_per_s", "spawn (/s)", false],
  ["pingpong", "round_trips_per_s", "pingpong (/s)", false],
  ["queue", "items_per_s", "queue (/s)", false],
  ["lock", "acquisitions_per_s", "lock (/s)", false],
  ["timers", "elapsed_s", "timers, 200k (s)", true],
];

type Rec = Record<string, unknown> & { impl: string; bench: string };

function runOne(cmd: string[]): Rec | null {
  const out = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ??
    "";
  if (!out.success || !text.startsWith("{")) {
    console.error(
      `failed: ${cmd.join(" ")}\n${new TextDecoder().decode(out.stderr)}`,
    );
    return null;
  }
  return JSON.parse(text) as Rec;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function human(v: number, seconds: boolean): string {
  if (seconds) return v.toFixed(3);
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)}k`;
  return v.toFixed(0);
}

const IMPL_ORDER = [
  "ours-gen",
  "ours-async",
  "js-microtask",
  "js-immediate",
  "js-settimeout-deno",
  "js-settimeout-node",
  "asyncio",
  "uvloop",
];
const implRank = (name: string) =>
  IMPL_ORDER.includes(name) ? IMPL_ORDER.indexOf(name) : IMPL_ORDER.length;

/** The raw results file: every record, and what was measured. */
interface RawResults {
  date: string;
  commit: string;
  rounds: number;
  peers: string[];
  records: Array<Rec & { round: number }>;
}

function main(): void {
  const args = Deno.args;
  // --from FILE: rebuild the report and chart from a raw results file.
  const fi = args.indexOf("--from");
  const raw = fi >= 0
    ? JSON.parse(Deno.readTextFileSync(args[fi + 1])) as RawResults
    : undefined;
  const ri = args.indexOf("--rounds");
  const rounds = raw?.rounds ?? (ri >= 0 ? Number(args[ri + 1]) : 3);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`Bad --rounds ${args[ri + 1]}: give an integer >= 1`);
  }
  const oi = args.indexOf("--only");
  const only = oi >= 0
    ? (args[oi + 1] ?? "").split(",")
    : raw
    ? WORKLOADS.filter((w) => raw.records.some((r) => r.bench === w))
    : WORKLOADS;
  const unknown = only.filter((w) => !WORKLOADS.includes(w));
  if (unknown.length > 0) {
    throw new RangeError(
      `Unknown workload ${unknown.join(", ")}: use ${WORKLOADS.join(",")}`,
    );
  }
  const list = raw
    ? [...new Set(raw.records.map((r) => r.impl))]
      .sort((a, b) => implRank(a) - implRank(b))
      .map((name) => ({ name, cmd: () => null }))
    : impls();
  const records: Array<Rec & { round: number }> = raw?.records ?? [];
  const loadBefore = loadAverage();
  for (let r = 1; r <= (raw ? 0 : rounds); r++) {
    for (const w of only) {
      for (const impl of list) {
        const cmd = impl.cmd(w);
        if (cmd === null) continue;
        const rec = runOne(cmd);
        if (rec === null) continue;
        // The JS script names timers' impl by itself; key records by ours.
        records.push({ ...rec, impl: impl.name, round: r });
        console.error(`round ${r} ${w} ${impl.name}: done`);
      }
    }
  }

  // Medians per (row, impl).
  const stats = new Map<string, { med: number; min: number; max: number }>();
  const key = (label: string, impl: string) => `${label}|${impl}`;
  for (const [w, field, label] of ROWS) {
    for (const impl of list) {
      const xs = records.filter((x) => x.bench === w && x.impl === impl.name)
        .map((x) => Number(x[field]));
      if (xs.length === 0) continue;
      stats.set(key(label, impl.name), {
        med: median(xs),
        min: Math.min(...xs),
        max: Math.max(...xs),
      });
    }
  }
  const get = (label: string, impl: string) => stats.get(key(label, impl))?.med;
  // ours/peer for rates; peer/ours for times: always "how many times better".
  const ratio = (label: string, lower: boolean, ours: string, peer: string) => {
    const a = get(label, ours), b = get(label, peer);
    if (a === undefined || b === undefined) return NaN;
    return lower ? b / a : a / b;
  };
  const ourFor = (w: string, form: "gen" | "async") =>
    FORM_FREE.has(w) ? "ours-gen" : `ours-${form}`;

  const date = raw?.date ?? new Date().toISOString().slice(0, 10);
  const commit = raw?.commit ?? headCommit();
  const peers = raw?.peers ?? peerVersions(list);
  const implNames = list.map((i) => i.name);
  // Only the rows of the workloads that ran.
  const rows = ROWS.filter(([w]) => only.includes(w));
  const md: string[] = [];
  md.push(`# Benchmarks, ${date}`);
  md.push("");
  md.push(
    `Machine: ${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} CPUs, Deno ${Deno.version.deno}; ${rounds} interleaved rounds, one process per run. Medians [min-max]. Reproduce: \`bash bench/setup.sh && npx deno task bench:compare\`.`,
  );
  md.push("");
  md.push(`Peers: ${peers.join("; ")}. Commit: ${commit}.`);
  if (!raw) {
    // Other work on the machine skews one-shot runs; say how busy it was.
    md.push("");
    md.push(`Load average before the runs: ${loadBefore}.`);
  }
  md.push("");
  md.push(`| workload | ${implNames.join(" | ")} |`);
  md.push(`| --- | ${implNames.map(() => "---").join(" | ")} |`);
  for (const [, , label, lower] of rows) {
    const cells = implNames.map((i) => {
      const s = stats.get(key(label, i));
      return s === undefined
        ? "—"
        : `${human(s.med, lower)} [${human(s.min, lower)}-${
          human(s.max, lower)
        }]`;
    });
    md.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  md.push("");
  md.push(
    "Ratios (how many times better ours is; timers compare elapsed time). " +
      "The JS floor is queueMicrotask for callbacks, `await null` for sleep0, " +
      "spawn and lock, the plain promise Queue for pingpong and queue, and " +
      "Node's setTimeout for timers. Callbacks and timers run no coroutine, " +
      "so they have one run of ours, listed under gen.",
  );
  md.push("");
  md.push(
    "| workload | gen/uvloop | gen/asyncio | gen/JS floor | async/uvloop | async/asyncio | async/JS floor |",
  );
  md.push("| --- | --- | --- | --- | --- | --- | --- |");
  // One chart panel per peer: [generator ratios, async ratios].
  const panels = {
    uvloop: [[], []],
    asyncio: [[], []],
    floor: [[], []],
  } as Record<"uvloop" | "asyncio" | "floor", [number[], number[]]>;
  const cats: string[] = [];
  const ratioPanel = (
    title: string,
    yLabel: string,
    refLines: RefLine[],
  ): string => {
    const peer = yLabel.endsWith("uvloop")
      ? "uvloop"
      : yLabel.endsWith("asyncio")
      ? "asyncio"
      : "floor";
    return barChart({
      title,
      yLabel,
      categories: cats,
      series: [
        { name: "generator tasks (ours-gen)", values: panels[peer][0] },
        { name: "async functions (ours-async)", values: panels[peer][1] },
      ],
      refLines,
    });
  };
  for (const [w, , label, lower] of rows) {
    const floor = w === "timers" ? "js-settimeout-node" : "js-microtask";
    const g = ourFor(w, "gen");
    // No async run of its own: NaN, shown as "—", not a copy of gen.
    const a = FORM_FREE.has(w) ? "none" : ourFor(w, "async");
    const cells = [
      ratio(label, lower, g, "uvloop"),
      ratio(label, lower, g, "asyncio"),
      ratio(label, lower, g, floor),
      ratio(label, lower, a, "uvloop"),
      ratio(label, lower, a, "asyncio"),
      ratio(label, lower, a, floor),
    ];
    md.push(
      `| ${label} | ${
        cells.map((c) => Number.isNaN(c) ? "—" : `${c.toFixed(2)}x`).join(" | ")
      } |`,
    );
    cats.push(label.replace(/ \(.*\)$/, ""));
    (["uvloop", "asyncio", "floor"] as const).forEach((peer, i) => {
      panels[peer][0].push(cells[i]);
      panels[peer][1].push(cells[i + 3]);
    });
  }

  // Targets (issues 3, 4 and 5).
  const checks: Array<[string, boolean | null]> = [];
  const check = (name: string, v: number, min: number) => {
    checks.push([
      `${name}: ${Number.isNaN(v) ? "no data" : v.toFixed(2) + "x"} (need >= ${
        Number(min.toFixed(2))
      }x)`,
      Number.isNaN(v) ? null : v >= min,
    ]);
  };
  for (const [w, , label, lower] of rows) {
    const g = ourFor(w, "gen"), a = ourFor(w, "async");
    const tenX = w === "callbacks" || w === "sleep0";
    check(
      `generator ${label} vs uvloop`,
      ratio(label, lower, g, "uvloop"),
      tenX ? 10 : 5,
    );
    if (w !== "timers") {
      check(
        `generator ${label} vs the plain-JS floor (within 3x)`,
        ratio(label, lower, g, "js-microtask"),
        1 / 3,
      );
    }
    if (!FORM_FREE.has(w)) {
      check(`async ${label} vs uvloop`, ratio(label, lower, a, "uvloop"), 2);
    }
    if (
      ["callbacks", "sleep0", "spawn", "timers", "pingpong", "queue", "lock"]
        .includes(w)
    ) {
      check(
        `generator ${label} vs asyncio (issues 3/4: 10x)`,
        ratio(label, lower, g, "asyncio"),
        10,
      );
    }
  }
  const timersOurs = get("timers, 200k (s)", "ours-gen");
  const timersNode = get("timers, 200k (s)", "js-settimeout-node");
  if (timersOurs !== undefined) {
    checks.push([
      `timers: all 200,000 fired in ${
        timersOurs.toFixed(3)
      } s (need < 0.080 s = 1.6x the longest delay)`,
      timersOurs < 0.08,
    ]);
    checks.push([
      timersNode === undefined
        ? "timers: faster than Node's setTimeout: no data (node not on PATH)"
        : `timers: faster than Node's setTimeout (${timersNode.toFixed(3)} s)`,
      timersNode === undefined ? null : timersOurs < timersNode,
    ]);
  }
  md.push("");
  md.push("Targets:");
  md.push("");
  for (const [text, ok] of checks) {
    md.push(`- ${ok === null ? "NO DATA" : ok ? "MET" : "NOT MET"} — ${text}`);
  }
  md.push("");
  md.push(`![ratios](${date}-ratios.svg)`);

  Deno.mkdirSync("bench/results", { recursive: true });
  Deno.writeTextFileSync(
    `bench/results/${date}.json`,
    JSON.stringify(
      { date, commit, rounds, peers, records } satisfies RawResults,
      null,
      1,
    ),
  );
  Deno.writeTextFileSync(`bench/results/${date}.md`, md.join("\n") + "\n");
  Deno.writeTextFileSync(
    `bench/results/${date}-ratios.svg`,
    stackCharts([
      ratioPanel(`Ours vs uvloop (times faster), ${date}`, "ours / uvloop", [
        { value: 1, label: "= uvloop" },
        { value: 2, label: "2x (async)" },
        { value: 5, label: "5x (gen)" },
        { value: 10, label: "10x (gen)" },
      ]),
      ratioPanel("Ours vs Python asyncio", "ours / asyncio", [
        { value: 1, label: "= asyncio" },
      ]),
      ratioPanel("Ours vs the plain-JS floor", "ours / JS floor", [
        { value: 1, label: "= JS floor" },
        { value: 1 / 3, label: "1/3 (gen)" },
      ]),
    ]),
  );
  console.log(md.join("\n"));
  if (oi < 0 && !raw && exists(PY)) {
    // The whole run also measures idle-scale (its own JSON and chart).
    const st = new Deno.Command(DENO, {
      args: [
        "run",
        // Three fewer fds held by Deno's code cache: select() qualifies at
        // N = 1000 only while every fd is below 1024.
        "--no-code-cache",
        "--allow-ffi",
        "--allow-run",
        "--allow-read",
        "--allow-write=bench/results",
        "bench/idle_scale.ts",
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).outputSync();
    if (!st.success) console.error("idle-scale failed");
  }
  // The report ends with idle-scale when its results of that date exist.
  const idle = idleSection(date);
  if (idle.length > 0) {
    Deno.writeTextFileSync(
      `bench/results/${date}.md`,
      [...md, ...idle].join("\n") + "\n",
    );
    console.log(idle.join("\n"));
  }
}

/** The idle-scale table of `<date>-idle-scale.json`, or nothing. */
function idleSection(date: string): string[] {
  let rows: Array<Record<string, number>>;
  try {
    rows = JSON.parse(
      Deno.readTextFileSync(`bench/results/${date}-idle-scale.json`),
    );
  } catch {
    return [];
  }
  const us = (v: number | undefined) =>
    v === undefined ? "— (fd >= 1024)" : v.toFixed(1);
  return [
    "",
    "## idle-scale",
    "",
    "Microseconds per round trip (2 waits + 4 syscalls), median of 5 batches, " +
    "one ping-pong pair among N idle TCP connections:",
    "",
    "| N | select | poll | epoll | highest fd |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.n} | ${us(r.select)} | ${us(r.poll)} | ${us(r.epoll)} | ${
        r.max_fd ?? "?"
      } |`
    ),
    "",
    `![idle-scale](${date}-idle-scale.svg)`,
  ];
}

main();
