/**
 * Runs one transpiled test file on Node or Bun: imports it (its
 * `Deno.test` calls register through `deno_shim.ts`), runs the tests one
 * after another as `deno test` does, and prints one line
 * `__RESULTS__{json}` with each test's outcome. Usage:
 * `node run_file.js FILE.js [TIMEOUT_SECONDS]`.
 *
 * An exception or rejection nobody handles while a test runs fails that
 * test (`deno test` fails it too). A test that does not settle within the
 * timeout fails, and the file stops there: its loop may still be running.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { registered } from "./deno_shim.ts";
import { runtime } from "../../../poll/_runtime.ts";
import { libraryName } from "../../../poll/_libc.ts";
import { close, pipe } from "../../../poll/fd.ts";
import { waitReadable } from "../../../poll/_bun_waiter.ts";

/** One test's outcome. */
export interface Outcome {
  name: string;
  status: "pass" | "fail" | "skip";
  /** Why it was skipped, or the first line of its error. */
  detail?: string;
  ms?: number;
}

const [file, timeoutArg] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg ?? 60) * 1000;
const results: Outcome[] = [];
let stray: unknown[] = [];

function firstLine(e: unknown): string {
  const text = e instanceof Error
    ? `${e.name}: ${e.message}`
    : `thrown non-Error: ${String(e)}`;
  return text.split("\n").slice(0, 8).join(" | ").slice(0, 600);
}

/** Report and exit; never settles, so nothing after it runs or reports. */
function finish(loadError?: unknown): Promise<never> {
  const line = JSON.stringify({
    results,
    loadError: loadError === undefined ? undefined : firstLine(loadError),
  });
  process.stdout.write(`\n__RESULTS__${line}\n`, () => process.exit(0));
  // The exit waits for the write callback above. Returning would let the
  // caller go on (a file that failed to load reported again as having no
  // tests, a timed-out test also as passed), and the last report wins.
  return new Promise<never>(() => {});
}

// `deno task test` exposes gc(); Bun has it as Bun.gc(true).
const g = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
if (g.gc === undefined && g.Bun !== undefined) g.gc = () => g.Bun!.gc(true);

// On Bun, the Workers that make calls off the JS thread (_bun_waiter.ts),
// kept for reuse, each hold fds of Bun's own (an epoll fd and an eventfd)
// from their first use on: start them before any test counts fds (as the
// smoke program does), or the test that first needs one fails its census.
// Two, at once: a loop waiting on one while the resolver's getaddrinfo
// runs on a second is the most any test asks for at a time.
if (runtime === "bun") {
  const [r, w] = pipe();
  await Promise.all([
    waitReadable(libraryName(), r, 0),
    waitReadable(libraryName(), r, 0),
  ]);
  close(r);
  close(w);
}

process.on("unhandledRejection", (e) => stray.push(e));
process.on("uncaughtException", (e) => stray.push(e));

try {
  await import(pathToFileURL(file).href);
} catch (e) {
  await finish(e);
}

const only = registered.some((t) => t.only);
for (const t of registered) {
  if (t.skip !== null || (only && !t.only)) {
    results.push({
      name: t.name,
      status: "skip",
      detail: t.skip ?? "another test has only: true",
    });
    continue;
  }
  stray = [];
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const r = await Promise.race([
      Promise.resolve(t.fn({
        name: t.name,
        step: () => {
          throw new Error("t.step() is not supported by the test adapter");
        },
      })),
      timedOut,
    ]);
    if (r === "timeout") {
      results.push({
        name: t.name,
        status: "fail",
        detail: `did not settle within ${timeoutMs / 1000} s`,
      });
      await finish();
    }
    // Let a rejection left behind by the test surface before judging it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (stray.length > 0) throw stray[0];
    results.push({
      name: t.name,
      status: "pass",
      ms: Math.round(performance.now() - start),
    });
  } catch (e) {
    results.push({
      name: t.name,
      status: "fail",
      detail: firstLine(e),
      ms: Math.round(performance.now() - start),
    });
  } finally {
    clearTimeout(timer);
  }
}
await finish();
