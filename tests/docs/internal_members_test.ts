import assert from "node:assert/strict";
import process from "node:process";

// The generated docs (JSR's pages, `deno doc --html`) show asyncio's API,
// not the fast paths the parts share: every `_`-prefixed member of an
// exported class or interface carries `@ignore` (conformance issue: the
// `_callSoon1`/`_hostRef`/`_tasks` of LoopLike were on the docs' pages).

const root = new URL("../../", import.meta.url).pathname;

interface Located {
  name: string;
  file: string;
  line: number;
}

function underscoreMembersWithoutIgnore(node: unknown, out: Located[]): void {
  if (Array.isArray(node)) {
    for (const n of node) underscoreMembersWithoutIgnore(n, out);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  const loc = o.location as { filename?: string; line?: number } | undefined;
  if (
    typeof o.name === "string" && o.name.startsWith("_") &&
    loc?.filename !== undefined && loc.line !== undefined &&
    !loc.filename.includes("/node_modules/")
  ) {
    const doc = o.jsDoc as { tags?: { kind: string }[] } | undefined;
    if (!(doc?.tags ?? []).some((t) => t.kind === "ignore")) {
      out.push({
        name: o.name,
        file: loc.filename.replace(`file://${root}`, ""),
        line: loc.line + 1,
      });
    }
  }
  for (const v of Object.values(o)) underscoreMembersWithoutIgnore(v, out);
}

// It reads the TypeScript sources with `deno doc`; Node and Bun run the
// transpiled tree, which has none.
const ignore = !("deno" in process.versions);

Deno.test("the public docs show no _-prefixed member (each is @ignore)", {
  ignore,
}, async () => {
  const r = await new Deno.Command("npx", {
    args: ["deno", "doc", "--json", "mod.ts", "poll/mod.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const found: Located[] = [];
  underscoreMembersWithoutIgnore(
    JSON.parse(new TextDecoder().decode(r.stdout)),
    found,
  );
  const unique = [
    ...new Set(found.map((f) => `${f.file}:${f.line} ${f.name}`)),
  ];
  assert.deepEqual(
    unique,
    [],
    "add `@ignore` (on its own JSDoc line) to these members",
  );
});

Deno.test("the public types show no _-named member a user could call", {
  ignore,
}, async () => {
  // What a user's editor completes and the npm `.d.ts` declares, as
  // TypeScript's checker sees the public entries: members the parts share
  // are symbol-keyed (each part's `_keys.ts`), so they are not there.
  const r = await new Deno.Command("node", {
    args: ["tests/docs/_public_members.mjs", ".", "mod.ts", "poll/mod.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  assert.deepEqual(
    JSON.parse(new TextDecoder().decode(r.stdout)),
    [],
    "key these members with a symbol from the part's _keys.ts",
  );
});
