// Injected by esbuild into the bundles bench/runtimes.ts runs on Node and
// Bun: the benchmark entry points read their arguments as `Deno.args`.
// Only that: any other `Deno.*` (left in the module, say) fails as it
// would without the shim.
export const Deno = new Proxy({ args: process.argv.slice(2) }, {
  get(target, key) {
    if (key in target) return target[key];
    throw new ReferenceError(`Deno.${String(key)} is not available here`);
  },
});
