/**
 * Options objects checked at the call: a key we do not know is a
 * `TypeError` naming it and the right one (`return_exceptions` ->
 * `returnExceptions`), never silently ignored.
 *
 * @module
 */

import { _describe } from "./_describe.ts";

/**
 * Throw a `TypeError` if `options` is not undefined or an object, or has a
 * key outside `allowed`. `what` names the call ("create an event loop").
 * @internal
 */
export function _checkOptions(
  what: string,
  options: unknown,
  allowed: readonly string[],
): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${what}: options must be an object, got ${_describe(options)}`,
    );
  }
  for (const key in options) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    throw new TypeError(
      `Cannot ${what}: unknown option "${key}", ${
        camel !== key && allowed.includes(camel)
          ? `did you mean "${camel}"?`
          : `the options are ${allowed.map((k) => `"${k}"`).join(", ")}`
      }`,
    );
  }
}

/**
 * Throw a `TypeError` unless `fn` is a function; `param` names it.
 * @internal
 */
export function _checkCallable(what: string, param: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot ${what}: ${param} must be a function, got ${_describe(fn)}`,
    );
  }
}
