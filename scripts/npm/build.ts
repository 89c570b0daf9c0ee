/**
 * `deno task build:npm`: writes the npm package of this module to
 * `dist/npm/` (gitignored); `npm pack dist/npm` makes the tarball.
 *
 * - `esm/`: every source file of the module, transpiled one to one by
 *   esbuild and lowered to what Node 20 runs (no `using`). Not one bundle:
 *   a thread pool starts `executors/_worker.js` and a process pool runs
 *   `executors/_child.js` by URL next to the importing file, and work
 *   modules are imported by their own URL, so the files must keep their
 *   places. Relative `.ts` specifiers (static, dynamic and `new URL()`)
 *   become `.js`.
 * - `types/`: `.d.ts` from `tsc`; the build fails if a declaration still
 *   names a `Deno.*` type (a Node or Bun user has no `Deno` namespace).
 * - `package.json` (`exports` with types first, `engines`, `sideEffects:
 *   false`, koffi as the one dependency), README.md and LICENSE.
 *
 * Flags: `--out DIR` (default `dist/npm`), `--allow-deno-types` (write the
 * package even if declarations name `Deno.*` types; for trying the rest).
 *
 * Permissions (as the task grants them): `--allow-read`,
 * `--allow-write=dist/npm` (the output folder; with `--out DIR`, DIR
 * instead), `--allow-run=npx` (esbuild, tsc and `deno types`).
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { denoTypeUses, rewriteSpecifiers } from "./_rewrite.ts";
import { filesUnder, isCode, MODULE, ROOT, run, transpile } from "../_tree.ts";

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i === -1 ? undefined : Deno.args[i + 1];
}

const OUT = resolve(ROOT, arg("--out") ?? "dist/npm");
const allowDenoTypes = Deno.args.includes("--allow-deno-types");

/** The module's source files: `mod.ts` and every non-test file of its parts. */
function sources(): string[] {
  return filesUnder(MODULE).filter((f) => isCode(f) && !/_test\.ts$/.test(f));
}

function walkFiles(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

async function buildJs(files: string[]): Promise<void> {
  // The emitted JS must parse on Node 20: `using` is lowered by esbuild.
  for (const p of await transpile(files, join(OUT, "esm"))) {
    if (/^\s*(await\s+)?using\s+[\w{[]/m.test(readFileSync(p, "utf8"))) {
      throw new Error(
        `Cannot build: ${relative(OUT, p)} still declares with 'using'`,
      );
    }
  }
}

async function buildTypes(): Promise<void> {
  // Inside OUT (removed below): the task's --allow-write is OUT alone.
  const tmp = join(OUT, ".tsc");
  mkdirSync(tmp);
  try {
    // tsc needs Deno's types to read the Deno backends; the declarations it
    // writes must not use them (checked below). The checkout's pinned Deno,
    // through npx as tsc and esbuild: the task's --allow-run is npx alone.
    const types = await new Deno.Command("npx", {
      args: ["deno", "types"],
      cwd: ROOT,
      stdout: "piped",
    }).output();
    if (!types.success) throw new Error("Cannot build: `deno types` failed");
    writeFileSync(join(tmp, "lib.deno.d.ts"), types.stdout);
    const config = {
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2023", "DOM", "ESNext.Disposable"],
        declaration: true,
        emitDeclarationOnly: true,
        allowImportingTsExtensions: true,
        allowJs: false,
        skipLibCheck: true,
        strict: true,
        // Declarations only: the source is type-checked by `deno check`.
        noCheck: true,
        types: [],
        outDir: join(OUT, "types"),
        rootDir: ROOT,
      },
      files: [
        join(ROOT, "mod.ts"),
        join(ROOT, "poll/mod.ts"),
        join(tmp, "lib.deno.d.ts"),
      ],
    };
    const tsconfig = join(tmp, "tsconfig.json");
    writeFileSync(tsconfig, JSON.stringify(config));
    await run("npx", ["tsc", "-p", tsconfig]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // Declarations keep `.ts` specifiers from tsc: a consumer's tsc without
  // allowImportingTsExtensions would refuse them.
  for (const p of walkFiles(join(OUT, "types"), ".d.ts")) {
    writeFileSync(p, rewriteSpecifiers(readFileSync(p, "utf8")));
  }
  const uses: string[] = [];
  for (const p of walkFiles(join(OUT, "types"), ".d.ts")) {
    for (const use of denoTypeUses(readFileSync(p, "utf8"))) {
      uses.push(`${relative(join(OUT, "types"), p)}: ${use}`);
    }
  }
  if (uses.length > 0) {
    const list = uses.map((u) => `  ${u}`).join("\n");
    const what =
      `declarations still name Deno types (a Node or Bun user has no Deno namespace); give them runtime-neutral types:\n${list}`;
    if (!allowDenoTypes) throw new Error(`Cannot build: ${what}`);
    console.warn(`warning: ${what}`);
  }
}

function packageJson(): Record<string, unknown> {
  const deno = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
  const dev = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const entry = (ts: string) => {
    const base = ts.replace(/^\.\//, "").replace(/\.ts$/, "");
    return { types: `./types/${base}.d.ts`, default: `./esm/${base}.js` };
  };
  const exports: Record<string, unknown> = {};
  for (
    const [key, path] of Object.entries(deno.exports as Record<string, string>)
  ) {
    exports[key] = entry(path);
  }
  return {
    name: deno.name,
    version: deno.version,
    description:
      "Python's asyncio for Deno, Node and Bun: event loop, tasks, streams, sockets, TLS, subprocesses and executors over select/poll/epoll/kqueue through FFI",
    license: deno.license,
    type: "module",
    exports,
    types: (exports["."] as { types: string }).types,
    files: ["esm/", "types/", "README.md", "LICENSE"],
    sideEffects: false,
    // process.getBuiltinModule() (how koffi is loaded) is in Node 20.16+.
    engines: { node: ">=20.16.0", bun: ">=1.1.0" },
    os: ["linux", "darwin", "freebsd"],
    // Prebuilt binaries for Node; Bun uses bun:ffi and never loads it.
    dependencies: { koffi: dev.devDependencies.koffi },
    keywords: [
      "asyncio",
      "event-loop",
      "epoll",
      "kqueue",
      "ffi",
      "deno",
      "bun",
    ],
  };
}

if (existsSync(OUT)) rmSync(OUT, { recursive: true });
mkdirSync(OUT, { recursive: true });
const files = sources();
await buildJs(files);
await buildTypes();
writeFileSync(
  join(OUT, "package.json"),
  JSON.stringify(packageJson(), null, 2) + "\n",
);
for (const f of ["README.md", "LICENSE"]) {
  writeFileSync(join(OUT, f), readFileSync(join(ROOT, f)));
}
console.log(
  `Wrote ${
    relative(ROOT, OUT)
  }/ (${files.length} modules); pack it with: npm pack ${relative(ROOT, OUT)}`,
);
