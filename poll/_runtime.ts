/**
 * The one place that knows which JavaScript runtime (Deno, Node or Bun),
 * OS and CPU this process runs on. Everything in `poll/` asks here instead
 * of reading `Deno.build` or `process`, so the same source runs on all three.
 *
 * @module
 */

/** The JavaScript runtime we run on. @internal */
export type RuntimeName = "deno" | "node" | "bun";

/** An OS name, spelled as `Deno.build.os` spells it. @internal */
export type OsName =
  | "darwin"
  | "linux"
  | "android"
  | "windows"
  | "freebsd"
  | "netbsd"
  | "aix"
  | "solaris"
  | "illumos";

/** What we read of Node's and Bun's `process` (no Node types needed). */
interface NodeProcess {
  readonly platform: string;
  readonly arch: string;
  readonly pid: number;
  readonly env: Record<string, string | undefined>;
}

interface DenoLike {
  readonly build: { readonly os: string; readonly arch: string };
  readonly pid: number;
}

const g = globalThis as unknown as {
  Deno?: DenoLike;
  Bun?: unknown;
  process?: NodeProcess;
};

// Bun and Deno both provide `process`; each has its own global first.
const deno = g.Deno;
const proc = g.process;

/** The runtime this process runs on. @internal */
export const runtime: RuntimeName = deno !== undefined && deno.build
  ? "deno"
  : g.Bun !== undefined
  ? "bun"
  : "node";

function osOf(platform: string): OsName {
  switch (platform) {
    case "win32":
      return "windows";
    case "sunos":
      return "solaris";
    default:
      return platform as OsName;
  }
}

function archOf(a: string): string {
  return a === "x64" ? "x86_64" : a === "arm64" ? "aarch64" : a;
}

/** The OS, as `Deno.build.os` names it ("linux", "darwin", ...). @internal */
export const os: OsName = runtime === "deno"
  ? deno!.build.os as OsName
  : osOf(proc?.platform ?? "unknown");

/** The CPU, as `Deno.build.arch` names it ("x86_64", "aarch64"). @internal */
export const arch: string = runtime === "deno"
  ? deno!.build.arch
  : archOf(proc?.arch ?? "unknown");

/** This process's id. @internal */
export function pid(): number {
  return runtime === "deno" ? deno!.pid : proc!.pid;
}

/**
 * Environment variable `name`, or `undefined`. On Deno it is read only when
 * already granted: asking would prompt, and a library must not need
 * --allow-env to load. @internal
 */
export function envGet(name: string): string | undefined {
  if (runtime !== "deno") return proc?.env[name] || undefined;
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: name });
    if (state.state !== "granted") return undefined;
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The whole environment as the host's JS sees it (`process.env` on Node
 * and Bun, `Deno.env.toObject()` on Deno, which needs --allow-env). For
 * Bun, whose `process.env` is not C's `environ`. @internal
 */
export function hostEnvironment(): Record<string, string> {
  if (runtime === "deno") return Deno.env.toObject();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(proc?.env ?? {})) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

/**
 * Environment variable `name`, or `undefined`, read as the host reads it:
 * on Deno this needs `--allow-env` (it throws `NotCapable` or prompts
 * without), for a caller that must not silently see nothing. @internal
 */
export function envRead(name: string): string | undefined {
  return runtime === "deno" ? Deno.env.get(name) : proc?.env[name];
}

const setImmediateFn = (globalThis as unknown as {
  setImmediate?: (cb: () => void) => unknown;
}).setImmediate;

/**
 * Node and Bun: a Promise that resolves after two iterations of the host's
 * event loop (`setImmediate` twice: each runs the due timers and polls the
 * I/O without waiting). Two, because host I/O often goes in steps: a local
 * server reads a request in the first and its reply lands in the second (a
 * `fetch` to a server in the same process during a generator workload took
 * 15-30 ms in the median with one, 11-17 ms with two; three gained
 * little). Deno has no such turn (its timers and I/O run when the JS
 * thread parks, see loop/_host_turn.ts): there this returns null.
 * @internal
 */
export function hostImmediate(): Promise<void> | null {
  const immediate = setImmediateFn;
  if (runtime === "deno" || immediate === undefined) return null;
  return new Promise((resolve) => immediate(() => immediate(resolve)));
}
