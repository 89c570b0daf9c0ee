/**
 * asyncio-like reprs everywhere a JS user looks: `console.log`,
 * `Deno.inspect` and Node's `util.inspect` show what `toString()` returns
 * (`<Lock [unlocked, waiters:2]>`), not the private fields.
 *
 * @module
 */

// Registry keys, not Deno APIs: the same symbols exist on every runtime.
const DENO_INSPECT = Symbol.for("Deno.customInspect");
const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

function repr(this: object): string {
  return String(this);
}

/**
 * Make `Deno.inspect`/`util.inspect` of instances of `ctors` (and their
 * subclasses) print their `toString()`. Installed on the prototypes, not
 * declared, so the symbols stay out of the public types.
 * @internal
 */
export function _inspectAsRepr(...ctors: { prototype: object }[]): void {
  for (const c of ctors) {
    for (const key of [DENO_INSPECT, NODE_INSPECT]) {
      Object.defineProperty(c.prototype, key, {
        value: repr,
        writable: true,
        configurable: true,
      });
    }
  }
}

/**
 * Make `using x = obj` / `await using x = obj` on instances of `ctor` fail
 * at the declaration with `message` (a TypeError), instead of V8's
 * "Symbol(Symbol.dispose) is not a function" or a silent misuse.
 * @internal
 */
export function _refuseUsing(
  ctor: { prototype: object },
  message: string,
): void {
  const refuse = {
    get(): never {
      throw new TypeError(message);
    },
    configurable: true,
  };
  Object.defineProperty(ctor.prototype, Symbol.dispose, refuse);
  Object.defineProperty(ctor.prototype, Symbol.asyncDispose, refuse);
}
