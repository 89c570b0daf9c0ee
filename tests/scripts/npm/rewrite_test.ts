import assert from "node:assert/strict";
import {
  denoTypeUses,
  rewriteSpecifiers,
} from "../../../scripts/npm/_rewrite.ts";

Deno.test("rewriteSpecifiers() turns static, dynamic and URL .ts paths into .js", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `export * from '../loop/mod.ts';`,
    `const m = await import("../loop/run.ts");`,
    `const u = new URL("./_child.ts", import.meta.url);`,
    "const body = `./_worker_main.ts`;",
  ].join("\n");
  assert.equal(
    rewriteSpecifiers(src),
    [
      `import { a } from "./a.js";`,
      `export * from '../loop/mod.js';`,
      `const m = await import("../loop/run.js");`,
      `const u = new URL("./_child.js", import.meta.url);`,
      "const body = `./_worker_main.js`;",
    ].join("\n"),
  );
});

Deno.test("rewriteSpecifiers() leaves bare, absolute and non-.ts strings alone", () => {
  const src = [
    `import koffi from "koffi";`,
    `const a = "/abs/x.ts";`,
    `const b = "./data.json";`,
    `const c = "./x.tsx";`,
    `const d = "see ./a.ts here";`,
  ].join("\n");
  assert.equal(rewriteSpecifiers(src), src);
});

Deno.test("denoTypeUses() finds Deno types in code, not in comments", () => {
  const dts = [
    "/** Like `Deno.dlopen`, see Deno.PointerValue. */",
    "export declare function f(p: Deno.PointerObject): void;",
    "// Deno.UnsafePointer is not used",
    "export type S = Deno.DynamicLibrary<X>['symbols'] | Deno.PointerObject;",
  ].join("\n");
  assert.deepEqual(denoTypeUses(dts), [
    "Deno.PointerObject",
    "Deno.DynamicLibrary",
  ]);
});

Deno.test("denoTypeUses() is empty for runtime-neutral declarations", () => {
  assert.deepEqual(
    denoTypeUses("/** Deno.test */\nexport declare function g(): number;"),
    [],
  );
});
