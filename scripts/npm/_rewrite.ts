/**
 * Text rewrites of the npm build, kept apart so they are unit-tested:
 * relative `.ts` specifiers to `.js`, and finding `Deno.*` type uses in a
 * declaration file outside its comments.
 *
 * @module
 */

// A quoted relative path ending in .ts: `from "./x.ts"`, `import("../y.ts")`,
// `new URL("./_child.ts", import.meta.url)`, and a specifier kept in a
// variable (executors/_worker.js imports its body through one on purpose).
const RELATIVE_TS = /(["'`])(\.{1,2}\/[^"'`\s]*?)\.ts\1/g;

/** `text` with every quoted relative `.ts` path ending in `.js` instead. */
export function rewriteSpecifiers(text: string): string {
  return text.replace(RELATIVE_TS, (_, q, path) => `${q}${path}.js${q}`);
}

/** The `Deno.X` names used in `dts` outside comments, in order, once each. */
export function denoTypeUses(dts: string): string[] {
  const code = dts
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return [...new Set(code.match(/\bDeno\.[A-Za-z_][\w.]*/g) ?? [])];
}
