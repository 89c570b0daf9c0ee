// The mechanics of the tarball smoke test, run by `node` for
// npm_package_test.ts (which has no --allow-write): in a temporary folder,
// build the npm package, `npm pack` it, install the tarball into a fresh
// Node project (npm) and a fresh Bun project (bun install), run
// npm_consumer/main.mjs and executors.mjs in each and type-check npm_consumer/consumer.ts
// with `tsc --strict`. Offline: koffi comes from this checkout's
// node_modules, nothing is fetched. Prints one JSON line with every step's
// exit code and output; the temporary folder is removed.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./npm_consumer/", import.meta.url));
const BIN = join(ROOT, "node_modules/.bin");
const KOFFI = join(ROOT, "node_modules/koffi");
const buildArgs = process.argv.slice(2);

const steps = {};

/** Run one step; record its code and output; true when it exited 0. */
function step(name, cmd, args, cwd, env = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  steps[name] = {
    code: r.status ?? -1,
    stdout: r.stdout ?? "",
    stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""),
  };
  return r.status === 0;
}

function project(dir, tarball, extra) {
  mkdirSync(dir);
  copyFileSync(tarball, join(dir, "asyncio.tgz"));
  for (const f of ["main.mjs", "executors.mjs", "work.mjs", "consumer.ts"]) {
    copyFileSync(join(FIXTURES, f), join(dir, f));
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { "@seed/asyncio": "file:asyncio.tgz" },
      ...extra,
    }),
  );
}

const tmp = mkdtempSync(join(tmpdir(), "asyncio-npm-"));
try {
  const pkg = join(tmp, "pkg");
  if (
    step("build", "npx", [
      "deno",
      "run",
      // What `deno task build:npm` grants, with the output folder moved.
      "--allow-run=npx",
      "--allow-read",
      `--allow-write=${pkg}`,
      join(ROOT, "scripts/npm/build.ts"),
      "--out",
      pkg,
      ...buildArgs,
    ], ROOT) &&
    step("pack", "npm", ["pack", "--pack-destination", tmp, "--silent"], pkg)
  ) {
    const tgz = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    const tarball = join(tmp, tgz);

    // Node: npm, offline; the package's koffi dependency is satisfied by
    // the local copy, linked (its prebuilt binary resolves from there).
    const nodeDir = join(tmp, "node");
    project(nodeDir, tarball, {
      devDependencies: { koffi: `file:${KOFFI}` },
    });
    if (
      step("node-install", "npm", [
        "install",
        "--offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
      ], nodeDir)
    ) {
      step("node-run", "node", ["main.mjs"], nodeDir);
      step("node-executors", "node", ["executors.mjs"], nodeDir);
      writeFileSync(
        join(nodeDir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2023", "ESNext.Disposable"],
            types: ["node"],
            typeRoots: [join(ROOT, "node_modules/@types")],
            skipLibCheck: false,
          },
          files: ["consumer.ts"],
        }),
      );
      step("tsc", join(BIN, "tsc"), ["-p", "."], nodeDir);
    }

    // Bun: bun install, offline (--offline fails on any fetch); Bun never
    // loads koffi (bun:ffi), so optional binaries are left out.
    const bunDir = join(tmp, "bun");
    // An empty cache of its own: nothing comes from an earlier install.
    // `--no-install` turns off Bun's auto-install at run time.
    project(bunDir, tarball, { overrides: { koffi: `file:${KOFFI}` } });
    const bunEnv = { BUN_INSTALL_CACHE_DIR: join(bunDir, ".bun-cache") };
    if (
      step(
        "bun-install",
        join(BIN, "bun"),
        [
          "install",
          "--offline",
          "--omit=optional",
          "--no-save",
        ],
        bunDir,
        bunEnv,
      )
    ) {
      for (
        const [name, file] of [["run", "main"], ["executors", "executors"]]
      ) {
        step(
          `bun-${name}`,
          join(BIN, "bun"),
          ["--no-install", `${file}.mjs`],
          bunDir,
          bunEnv,
        );
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(steps));
