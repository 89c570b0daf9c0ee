/**
 * `deno task test:runtimes`: the project's test files, unchanged, on Node
 * and Bun. The module, its tests and examples are transpiled one file to
 * one file (as the npm build does, so `import.meta.url` relations, Worker
 * scripts and fixtures keep their places) into a temporary tree under
 * `dist/` (removed at the end); every file under tests/ gets
 * `tests/runtimes/_adapter/deno_shim.ts` as its `Deno`; each test file
 * then runs in its own `node` / `bun` process through `run_file.ts`. Prints pass/skip/fail counts per runtime.
 *
 * Failures listed in `tests/runtimes/expected_failures.json` (what blocks
 * each, per runtime) are reported as known; any other failure fails the
 * run. `--update` rewrites that list from this run. A listed test that now
 * passes is reported so the list can shrink.
 *
 * Flags: `--runtime node|bun` (default both), `--only SUBSTRING` (test
 * files whose path contains it), `--jobs N` (files at once, default 1),
 * `--timeout S` (per test, default 60), `--update`, `--verbose` (every
 * failure's detail).
 *
 * Permissions (as the task grants them): `--allow-read`,
 * `--allow-write=dist,tests/runtimes/expected_failures.json` (the tree;
 * the list, for `--update`), `--allow-run=node,npx,node_modules/.bin/bun`
 * (the runtimes; esbuild through npx). No environment access: the children
 * inherit it.
 *
 * @module
 */

import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { filesUnder, isCode, MODULE, ROOT, transpile } from "./_tree.ts";

/** Test folders that are Deno's side of runtime tests (they start node). */
const DENO_ONLY = ["tests/runtimes/", "tests/scripts/"];
const EXPECTED = join(ROOT, "tests/runtimes/expected_failures.json");
const SHIM = "tests/runtimes/_adapter/deno_shim.js";
const RUNNER = "tests/runtimes/_adapter/run_file.js";

type Runtime = "node" | "bun";
interface Outcome {
  name: string;
  status: "pass" | "fail" | "skip";
  detail?: string;
}
type Expected = Record<Runtime, Record<string, string>>;

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i === -1 ? undefined : Deno.args[i + 1];
}

const runtimes: Runtime[] = flag("--runtime")
  ? [flag("--runtime") as Runtime]
  : ["node", "bun"];
const only = flag("--only");
const jobs = Number(flag("--jobs") ?? 1);
const timeout = flag("--timeout") ?? "60";
const update = Deno.args.includes("--update");
const verbose = Deno.args.includes("--verbose");

/** The transpiled tree in `out`; returns the test files, relative, as .js. */
async function build(out: string): Promise<string[]> {
  const files = filesUnder([...MODULE, "examples", "tests"]);
  const code = files.filter(isCode);
  const outputs = await transpile(code, out);
  // Fixtures (certificates, data files) keep their places beside the code.
  for (const f of files.filter((f) => !isCode(f))) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(out, f));
  }
  code.forEach((f, i) => {
    const js = outputs[i];
    const text = readFileSync(js, "utf8");
    if (f.startsWith("tests/") && /\bDeno\b/.test(text) && !js.endsWith(SHIM)) {
      let shim = relative(dirname(js), join(out, SHIM));
      if (!shim.startsWith(".")) shim = `./${shim}`;
      writeFileSync(js, `import { Deno } from "${shim}";\n${text}`);
    }
  });
  return code
    .filter((f) => /_test\.ts$/.test(f))
    .filter((f) => only === undefined || f.includes(only))
    .map((f) => f.replace(/\.ts$/, ".js"));
}

/** Run one test file on `rt`; its outcomes (a load error is one failure). */
async function runFile(
  rt: Runtime,
  tree: string,
  file: string,
): Promise<Outcome[]> {
  const cmd = rt === "node" ? "node" : join(ROOT, "node_modules/.bin/bun");
  // As `deno task test` runs with --v8-flags=--expose-gc (Bun: see
  // run_file.ts).
  const args = rt === "node" ? ["--expose-gc"] : ["--no-install"];
  // Deno.Command, not node:child_process: it adds NODE_PATH to the
  // inherited environment without reading it, so the task needs no
  // --allow-env.
  const child = new Deno.Command(cmd, {
    args: [...args, join(tree, RUNNER), file, timeout],
    cwd: tree,
    // koffi is loaded with require(): NODE_PATH finds this checkout's.
    env: { NODE_PATH: join(ROOT, "node_modules") },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A file whose tests each time out stops at the first; this bounds a
  // process that hangs outside any test (at load, or at exit).
  const kill = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, 600_000);
  const r = await child.output();
  clearTimeout(kill);
  const dec = new TextDecoder();
  const stdout = dec.decode(r.stdout);
  const line = stdout.split("\n").findLast((l) => l.startsWith("__RESULTS__"));
  if (line === undefined) {
    const tail = dec.decode(r.stderr).trim().split("\n").slice(-3).join(" | ");
    return [{
      name: "(file)",
      status: "fail",
      detail: `exited ${r.signal ?? r.code} before reporting: ${tail}`,
    }];
  }
  const { results, loadError } = JSON.parse(line.slice(11));
  return loadError
    ? [{ name: "(load)", status: "fail", detail: loadError }]
    : results;
}

/** What blocks a failing test, read off its error, for the list. */
function blocker(rt: Runtime, detail: string): string {
  if (/^ReferenceError: Deno is not defined/.test(detail)) {
    return `the module's code still calls Deno.* on ${rt}`;
  }
  const own = /^ReferenceError: (Deno\.\w+) is Deno's own/.exec(detail);
  if (own) return `the test itself uses ${own[1]}`;
  if (/^ReferenceError: Worker is not defined/.test(detail)) {
    return `${rt} has no global Worker (a Web Worker the test starts)`;
  }
  return detail;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}

// Under dist/ (gitignored), not the system's temporary folder: the task's
// --allow-write names the one folder it writes (and the failures list).
mkdirSync(join(ROOT, "dist"), { recursive: true });
const tree = mkdtempSync(join(ROOT, "dist", "runtimes-tree-"));
let failed = false;
try {
  const files = await build(tree);
  const expected: Expected = JSON.parse(readFileSync(EXPECTED, "utf8"));
  const next: Expected = { node: {}, bun: {} };
  for (const rt of runtimes) {
    const counts = { pass: 0, skip: 0, fail: 0, known: 0 };
    const unexpected: string[] = [];
    const fixed: string[] = [];
    const started = performance.now();
    await pool(files, jobs, async (file) => {
      const src = file.replace(/\.js$/, ".ts");
      let outcomes: Outcome[];
      if (DENO_ONLY.some((d) => src.startsWith(d))) {
        outcomes = [{
          name: "(file)",
          status: "skip",
          detail: "Deno's side of the Node/Bun tests",
        }];
      } else {
        outcomes = await runFile(rt, tree, file);
      }
      for (const o of outcomes) {
        const key = `${src} :: ${o.name}`;
        if (o.status !== "fail") {
          counts[o.status]++;
          if (o.status === "pass" && key in expected[rt]) fixed.push(key);
          continue;
        }
        next[rt][key] = blocker(rt, o.detail ?? "");
        if (key in expected[rt]) counts.known++;
        else {
          counts.fail++;
          unexpected.push(`${key}\n      ${o.detail}`);
        }
        if (verbose) console.log(`  ${rt} FAIL ${key}\n      ${o.detail}`);
      }
    });
    const s = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `${rt}: ${counts.pass} passed, ${counts.skip} skipped, ${counts.known} known failures (expected_failures.json), ${counts.fail} unexpected failures; ${files.length} files in ${s} s`,
    );
    for (const u of unexpected.sort()) console.log(`  unexpected: ${u}`);
    for (const f of fixed.sort()) {
      console.log(`  now passes (drop it from expected_failures.json): ${f}`);
    }
    if (unexpected.length > 0) failed = true;
  }
  if (update) {
    for (const rt of ["node", "bun"] as const) {
      if (!runtimes.includes(rt) || only !== undefined) next[rt] = expected[rt];
      const sorted = Object.fromEntries(Object.entries(next[rt]).sort());
      next[rt] = sorted;
    }
    writeFileSync(EXPECTED, JSON.stringify(next, null, 2) + "\n");
    console.log(`Wrote ${relative(ROOT, EXPECTED)}`);
    failed = false;
  }
} finally {
  rmSync(tree, { recursive: true, force: true });
}
if (failed) {
  console.log(
    "Unexpected failures: fix them, or list what blocks them with `deno task test:runtimes --update`",
  );
  Deno.exit(1);
}
