// Prints, as JSON, every `_`-named member a user of the public entries can
// name: the members of exported classes (instance and static sides) and
// interfaces, as TypeScript's checker resolves them, protected and private
// ones excepted (a subclass contract, or not reachable at all).
// Usage: node tests/docs/_public_members.mjs ROOT ENTRY...
import { createRequire } from "node:module";
import path from "node:path";

const [rootArg, ...entries] = process.argv.slice(2);
const root = path.resolve(rootArg);
const require = createRequire(path.join(root, "package.json"));
const ts = require("typescript");

const program = ts.createProgram(entries.map((e) => path.join(root, e)), {
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  lib: ["lib.esnext.d.ts", "lib.dom.d.ts"],
});
const checker = program.getTypeChecker();
const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected;
const found = new Set();

function visible(prop) {
  const decls = prop.getDeclarations() ?? [];
  return decls.some((d) => (ts.getCombinedModifierFlags(d) & hidden) === 0);
}
function report(owner, type) {
  for (const prop of checker.getPropertiesOfType(type)) {
    const name = prop.getName();
    // Symbol-keyed members have names like "__@_state@123".
    if (name.startsWith("_") && !name.startsWith("__@") && visible(prop)) {
      found.add(`${owner}.${name}`);
    }
  }
}

for (const entry of entries) {
  const sf = program.getSourceFile(path.join(root, entry));
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  for (let sym of checker.getExportsOfModule(moduleSymbol)) {
    if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const name = sym.getName();
    if (sym.flags & ts.SymbolFlags.Class) {
      report(name, checker.getDeclaredTypeOfSymbol(sym));
      const decl = sym.valueDeclaration;
      if (decl) report(name, checker.getTypeOfSymbolAtLocation(sym, decl));
    } else if (sym.flags & ts.SymbolFlags.Interface) {
      report(name, checker.getDeclaredTypeOfSymbol(sym));
    }
  }
}
console.log(JSON.stringify([...found].sort()));
