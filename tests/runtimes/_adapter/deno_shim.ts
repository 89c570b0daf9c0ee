/**
 * The `Deno` that test files see when the suite runs on Node or Bun
 * (`deno task test:runtimes` imports it into every file under tests/, and
 * only there: the module's own files see the real global, so a `Deno.*`
 * left in them fails as it would for a user).
 *
 * It has `Deno.test` (registering, run by `run_file.ts`) and the few
 * read-only host facts tests ask for (`build`, `pid`, `env`, `inspect`,
 * file reads). Anything else is Deno's own (`Deno.Command`, `Deno.serve`,
 * `Deno.dlopen`, signals, permissions) and throws a ReferenceError that
 * names the member, so the test fails saying what it needs.
 *
 * @module
 */

import { inspect as nodeInspect } from "node:util";
import { lstatSync, readFileSync } from "node:fs";
import { arch, os, pid, runtime } from "../../../poll/_runtime.ts";

/** What a test function gets; `step` is not supported by the adapter. */
export interface TestContext {
  readonly name: string;
  step(): never;
}

/** The `Deno.test` options the adapter honours. */
export interface TestDefinition {
  name: string;
  fn: (t: TestContext) => void | Promise<void>;
  ignore?: boolean;
  only?: boolean;
  permissions?: unknown;
  sanitizeOps?: boolean;
  sanitizeResources?: boolean;
  sanitizeExit?: boolean;
}

/** One registered test, in registration order. */
export interface Registered {
  name: string;
  fn: (t: TestContext) => void | Promise<void>;
  /** Why it does not run here, or null. */
  skip: string | null;
  only: boolean;
}

/** Tests registered by the file being run, in order. */
export const registered: Registered[] = [];

type TestFn = (t: TestContext) => void | Promise<void>;

function test(
  a: string | TestDefinition | TestFn,
  b?: TestFn | Omit<TestDefinition, "fn">,
  c?: TestFn,
): void {
  let def: TestDefinition;
  if (typeof a === "string") {
    def = typeof b === "function"
      ? { name: a, fn: b }
      : { ...b, name: a, fn: c! } as TestDefinition;
  } else if (typeof a === "function") {
    def = { name: a.name, fn: a };
  } else {
    def = a;
  }
  let skip: string | null = null;
  if (def.ignore) skip = "ignore: true";
  else if (def.permissions !== undefined) {
    skip = `it sets Deno permissions, which ${runtime} does not have`;
  }
  registered.push({
    name: def.name,
    fn: def.fn,
    skip,
    only: def.only ?? false,
  });
}

class NotFound extends Error {
  override name = "NotFound";
}

/** Deno's file errors from Node's: NotFound is what tests catch. */
function denoError(e: unknown): unknown {
  if ((e as { code?: string }).code === "ENOENT") {
    return new NotFound((e as Error).message);
  }
  return e;
}

const members: Record<string, unknown> = {
  test,
  build: { os, arch },
  pid: pid(),
  env: {
    get: (k: string) => process.env[k],
    set: (k: string, v: string) => {
      process.env[k] = v;
    },
    delete: (k: string) => {
      delete process.env[k];
    },
  },
  inspect: (v: unknown) => nodeInspect(v),
  errors: { NotFound },
  readFileSync: (p: string | URL) => {
    try {
      return new Uint8Array(readFileSync(p));
    } catch (e) {
      throw denoError(e);
    }
  },
  readTextFileSync: (p: string | URL) => {
    try {
      return readFileSync(p, "utf8");
    } catch (e) {
      throw denoError(e);
    }
  },
  lstatSync: (p: string | URL) => {
    try {
      return lstatSync(p);
    } catch (e) {
      throw denoError(e);
    }
  },
};

/** The stand-in for the `Deno` global in test files. */
export const Deno: typeof globalThis.Deno = new Proxy(members, {
  get(target, key) {
    if (typeof key === "string" && !(key in target)) {
      throw new ReferenceError(
        `Deno.${key} is Deno's own: this test needs Deno, not ${runtime} (the test adapter provides only Deno.${
          Object.keys(target).join(", Deno.")
        })`,
      );
    }
    return target[key as string];
  },
}) as unknown as typeof globalThis.Deno;
