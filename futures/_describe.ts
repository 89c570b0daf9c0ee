/**
 * Values in error messages, with their type: `got "1" (a string)`, so a
 * string where a number belongs does not read as the number. Never throws,
 * whatever the value (`Object.create(null)`, a throwing `toString`).
 *
 * @module
 */

/**
 * `value` as a message shows it: `"1" (a string)`, `42`, `null`,
 * `a function (f)`, `an object (Map)`.
 * @internal
 */
export function _describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `${JSON.stringify(value)} (a string)`;
    case "number":
      return String(value);
    case "bigint":
      return `${value}n (a bigint)`;
    case "boolean":
      return `${value} (a boolean)`;
    case "symbol":
      return `${value.toString()} (a symbol)`;
    case "undefined":
      return "undefined";
    case "function":
      return value.name ? `a function (${value.name})` : "a function";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array (length ${value.length})`;
  return `an object (${_typeName(value as object)})`;
}

/** The class name of `obj`, or its `Object.prototype.toString` tag. @internal */
export function _typeName(obj: object): string {
  try {
    const ctor = (obj as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor === "function" && typeof ctor.name === "string") {
      return ctor.name || "anonymous class";
    }
  } catch {
    // A throwing getter: fall through to the tag.
  }
  return Object.prototype.toString.call(obj).slice(8, -1);
}

/**
 * `String(value)` that never throws: an object without a usable `toString`
 * (`Object.create(null)`, one that throws) shows as its type instead.
 * @internal
 */
export function _safeString(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return String(value);
  } catch {
    return typeof value === "object" && value !== null
      ? `<${_typeName(value)} object (its toString() failed)>`
      : typeof value;
  }
}
