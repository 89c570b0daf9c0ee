/**
 * `deno task bench:runtimes`: the scheduling workloads and the echo
 * workload of WORKLOADS.md on Deno, Node and Bun side by side, each
 * runtime beside its own floor: the plain-JS workloads
 * (`bench/js/workloads.mjs`) and its native echo server (`Deno.listen`,
 * Node `net`, `Bun.listen`), with uvloop as the common reference. Our code
 * runs on Node and Bun from an esbuild bundle of `bench/ours.ts` and
 * `bench/echo_server.ts`. Rounds interleave every implementation (one
 * process per run); medians [min-max] and ratios, the issue's targets
 * marked MET / NOT MET.
 *
 * Flags: `--rounds R` (default 3), `--only sleep0,echo` (workloads; `echo`
 * for the echo part), `--window S` (echo seconds measured, default 3),
 * `--conns 10,100` (echo connections, 1 KiB messages).
 * Writes `bench/results/<date>-runtimes.md` and `.json`.
 *
 * Permissions (as the task grants them): `--allow-read`,
 * `--allow-write=bench/results,dist` (the results; the bundles, in a
 * temporary folder under dist/), `--allow-env=NODE_PATH` (set for the
 * servers, which find koffi through it), `--allow-sys=loadavg`,
 * `--allow-run=npx,node,taskset,/usr/bin/python3.11,node_modules/.bin/deno,node_modules/.bin/bun`
 * (esbuild; the runtimes and uvloop's Python; the pinned servers and
 * echoload).
 *
 * @module
 */

import {
  median,
  type Spread,
  spread,
  startServer,
  stopServer,
} from "./_proc.ts";

const ROOT = new URL("../", import.meta.url).pathname;
// The checkout's pinned runtimes, by the paths the task's --allow-run names.
const DENO = `${ROOT}node_modules/.bin/deno`;
const BUN = `${ROOT}node_modules/.bin/bun`;
const PY = "/usr/bin/python3.11";
const ECHOLOAD = `${ROOT}bench/bin/echoload`;

function flag(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? def : Deno.args[i + 1];
}
const rounds = Number(flag("rounds", "3"));
const only = flag("only", "");
const windowS = Number(flag("window", "3"));
const conns = flag("conns", "10,100").split(",").map(Number);
const wanted = (w: string) => only === "" || only.split(",").includes(w);

/** [workload, reported field, label]; higher is better. */
const ROWS: Array<[string, string, string]> = [
  ["callbacks", "chain_per_s", "callbacks chain"],
  ["callbacks", "batch_per_s", "callbacks batch"],
  ["sleep0", "switches_per_s", "sleep0"],
  ["spawn", "tasks_per_s", "spawn"],
  ["pingpong", "round_trips_per_s", "pingpong"],
  ["queue", "items_per_s", "queue"],
  ["lock", "acquisitions_per_s", "lock"],
];
const RUNTIMES = ["deno", "node", "bun"] as const;
type Runtime = typeof RUNTIMES[number];

/** 1234567 -> "1.23M": rates span four orders of magnitude. */
function si(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return v.toPrecision(3);
}
const fmt = (s: Spread) => `${si(s.med)} [${si(s.min)}-${si(s.max)}]`;

// Under dist/ (gitignored): the task's --allow-write names it.
await Deno.mkdir(`${ROOT}dist`, { recursive: true });
const tmp = await Deno.makeTempDir({
  dir: `${ROOT}dist`,
  prefix: "bench-runtimes-",
});

async function bundle(entry: string, out: string): Promise<string> {
  const r = await new Deno.Command("npx", {
    args: [
      "esbuild",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--external:koffi",
      "--external:bun:ffi",
      `--inject:${ROOT}bench/_host_args.js`,
      "--define:import.meta.main=true",
      "--log-level=warning",
      `--outfile=${tmp}/${out}`,
      `${ROOT}${entry}`,
    ],
  }).output();
  if (r.code !== 0) {
    throw new Error(`esbuild ${entry}: ${new TextDecoder().decode(r.stderr)}`);
  }
  return `${tmp}/${out}`;
}

/** How runtime `rt` runs a script: the runtime's command and flags. */
function host(rt: Runtime, script: string, ffi: boolean): string[] {
  if (rt === "deno") {
    return [
      DENO,
      "run",
      ...(ffi ? ["--allow-ffi", "--allow-read"] : []),
      "--allow-net=127.0.0.1",
      script,
    ];
  }
  return rt === "node" ? ["node", script] : [BUN, "--no-install", script];
}

// koffi is loaded with require() from the bundles in `tmp`.
const env = { NODE_PATH: `${ROOT}node_modules` };

function runJson(cmd: string[]): Record<string, number> | null {
  const r = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const line = new TextDecoder().decode(r.stdout).trim().split("\n").pop();
  if (r.code !== 0 || !line?.startsWith("{")) {
    console.error(
      `  failed: ${cmd.join(" ")}\n  ${
        new TextDecoder().decode(r.stderr).slice(-300)
      }`,
    );
    return null;
  }
  return JSON.parse(line);
}

interface Impl {
  name: string;
  cmd: (w: string) => string[];
}

const results: Record<string, Record<string, number[]>> = {};
const record = (key: string, impl: string, v: number) => {
  ((results[key] ??= {})[impl] ??= []).push(v);
};

const lines: string[] = [];
const out = (s = "") => {
  console.log(s);
  lines.push(s);
};

async function scheduling(): Promise<void> {
  const ours = await bundle("bench/ours.ts", "ours.mjs");
  const impls: Impl[] = [
    {
      name: "uvloop",
      cmd: (w) => [PY, `${ROOT}bench/python/workloads.py`, w, "--uvloop"],
    },
  ];
  for (const rt of RUNTIMES) {
    const script = rt === "deno" ? `${ROOT}bench/ours.ts` : ours;
    for (const form of ["gen", "async"]) {
      impls.push({
        name: `${rt} ours-${form}`,
        cmd: (w) => [...host(rt, script, true), w, "--form", form],
      });
    }
    impls.push({
      name: `${rt} js`,
      cmd: (w) => [...host(rt, `${ROOT}bench/js/workloads.mjs`, false), w],
    });
  }
  const workloads = [...new Set(ROWS.map(([w]) => w))].filter(wanted);
  for (let round = 0; round < rounds; round++) {
    console.error(`scheduling round ${round + 1}/${rounds}`);
    for (const w of workloads) {
      // Rotate the order each round so no implementation always runs first.
      const order = impls.map((_, i) => impls[(i + round) % impls.length]);
      for (const impl of order) {
        const rec = runJson(impl.cmd(w));
        if (rec === null) continue;
        for (const [rw, field, label] of ROWS) {
          if (rw === w && typeof rec[field] === "number") {
            record(label, impl.name, rec[field]);
          }
        }
      }
    }
  }
  out(
    `## Scheduling (rates per second; ${rounds} interleaved rounds, medians [min-max])`,
  );
  out();
  out(
    "| workload | runtime | ours, generators | ours, async fns | plain JS | uvloop | gen / uvloop (target >= 5x) | gen / plain JS |",
  );
  out("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const [, , label] of ROWS) {
    const r = results[label];
    if (r === undefined) continue;
    const uv = r["uvloop"] ? median(r["uvloop"]) : NaN;
    for (const rt of RUNTIMES) {
      const cell = (k: string) => r[k] ? fmt(spread(r[k])) : "n/a";
      const gen = r[`${rt} ours-gen`] ? median(r[`${rt} ours-gen`]) : NaN;
      const js = r[`${rt} js`] ? median(r[`${rt} js`]) : NaN;
      const ratio = gen / uv;
      out(
        `| ${label} | ${rt} | ${cell(`${rt} ours-gen`)} | ${
          cell(`${rt} ours-async`)
        } | ${cell(`${rt} js`)} | ${cell("uvloop")} | ${ratio.toFixed(2)}x ${
          ratio >= 5 ? "MET" : "NOT MET"
        } | ${(gen / js).toFixed(2)}x |`,
      );
    }
  }
  out();
}

async function echoLoad(port: number, c: number): Promise<number> {
  const r = await new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      ECHOLOAD,
      "127.0.0.1",
      String(port),
      String(c),
      "1024",
      String(windowS),
      "1",
    ],
    stdout: "piped",
  }).output();
  const rec = JSON.parse(new TextDecoder().decode(r.stdout));
  if (!rec.verified) {
    throw new Error(`echoload saw corrupted echoes on port ${port}`);
  }
  return rec.requests_per_s;
}

async function echo(): Promise<void> {
  const ours = await bundle("bench/echo_server.ts", "echo_server.mjs");
  const servers: Array<{ name: string; cmd: string[] }> = [];
  for (const rt of RUNTIMES) {
    servers.push({
      name: `${rt} ours`,
      cmd: [
        ...host(rt, rt === "deno" ? `${ROOT}bench/echo_server.ts` : ours, true),
        "protocol",
      ],
    });
    const native = rt === "bun"
      ? "bench/js/echo_server_bun.mjs"
      : "bench/js/echo_server.mjs";
    servers.push({
      name: `${rt} native`,
      cmd: host(rt, `${ROOT}${native}`, false),
    });
  }
  for (let round = 0; round < rounds; round++) {
    console.error(`echo round ${round + 1}/${rounds}`);
    for (const c of conns) {
      const order = servers.map((_, i) =>
        servers[(i + round) % servers.length]
      );
      for (const s of order) {
        // NODE_PATH for the bundles: startServer inherits this process's env.
        Deno.env.set("NODE_PATH", env.NODE_PATH);
        const [proc, port] = await startServer(s.cmd, 0);
        try {
          record(`echo ${c}c x 1 KiB`, s.name, await echoLoad(port, c));
        } finally {
          await stopServer(proc);
        }
      }
    }
  }
  out(
    `## Echo (requests/s, server on CPU 0, echoload on CPU 1, ${windowS} s windows, ${rounds} interleaved rounds)`,
  );
  out();
  out(
    "| config | runtime | ours (protocol) | runtime's native server | ours / native (target >= 0.67, within 1.5x) |",
  );
  out("| --- | --- | --- | --- | --- |");
  for (const c of conns) {
    const r = results[`echo ${c}c x 1 KiB`] ?? {};
    for (const rt of RUNTIMES) {
      const o = r[`${rt} ours`];
      const n = r[`${rt} native`];
      const ratio = o && n ? median(o) / median(n) : NaN;
      out(
        `| ${c}c x 1 KiB | ${rt} | ${o ? fmt(spread(o)) : "n/a"} | ${
          n ? fmt(spread(n)) : "n/a"
        } | ${ratio.toFixed(2)} ${ratio >= 1 / 1.5 ? "MET" : "NOT MET"} |`,
      );
    }
  }
  out();
}

try {
  const load = Deno.loadavg?.()[0];
  out(`# Runtimes benchmark, ${new Date().toISOString()}`);
  out();
  out(
    `Deno ${Deno.version.deno}, ${
      new TextDecoder().decode(
        new Deno.Command("node", { args: ["--version"], stdout: "piped" })
          .outputSync().stdout,
      ).trim()
    }, Bun ${
      new TextDecoder().decode(
        new Deno.Command(BUN, { args: ["--version"], stdout: "piped" })
          .outputSync().stdout,
      ).trim()
    }; load average at start ${
      load?.toFixed(2) ?? "?"
    }. Compare ratios within this run only.`,
  );
  out();
  if (ROWS.some(([w]) => wanted(w))) await scheduling();
  if (wanted("echo")) await echo();
} finally {
  await Deno.remove(tmp, { recursive: true });
}
const date = new Date().toISOString().slice(0, 10);
await Deno.writeTextFile(
  `${ROOT}bench/results/${date}-runtimes.md`,
  lines.join("\n") + "\n",
);
await Deno.writeTextFile(
  `${ROOT}bench/results/${date}-runtimes.json`,
  JSON.stringify(results, null, 1) + "\n",
);
console.error(`Wrote bench/results/${date}-runtimes.md and .json`);
