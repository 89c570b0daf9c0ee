/**
 * How the default exception handler prints a context: asyncio's layout
 * (the message, then `key: value` lines, then the error with its stack),
 * built so that no value can make it throw — an `Object.create(null)`, an
 * object whose `toString` throws, a thrown string.
 *
 * @module
 */

import type { ExceptionContext } from "../futures/_loop.ts";
import { _safeString, _typeName } from "../futures/_describe.ts";

/** One value of a context, as a log line shows it. */
function show(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) {
    try {
      return value.stack ?? `${value.name}: ${value.message}`;
    } catch {
      return _safeString(value);
    }
  }
  if (typeof value === "object" && value !== null) {
    // Our objects (Task, Future, Handle) have an asyncio-like toString().
    let custom = true;
    try {
      const ts = (value as { toString?: unknown }).toString;
      custom = ts !== Object.prototype.toString;
    } catch {
      // A throwing getter: _safeString copes.
    }
    if (custom) return _safeString(value);
    const inspect = (globalThis as {
      Deno?: { inspect?: (v: unknown) => string };
    }).Deno?.inspect;
    if (inspect !== undefined) {
      try {
        return inspect(value);
      } catch {
        // Fall through.
      }
    }
    const s = _safeString(value);
    return s === "[object Object]" ? `<${_typeName(value)} object>` : s;
  }
  return _safeString(value);
}

/**
 * The lines asyncio's default handler logs for `context`; a nested
 * `context` key (a failing handler's original context) is indented.
 * @internal
 */
export function _formatContext(context: ExceptionContext): string {
  const lines: string[] = [];
  format(context, "", lines);
  return lines.join("\n");
}

function format(context: unknown, indent: string, lines: string[]): void {
  if (typeof context !== "object" || context === null) {
    lines.push(indent + show(context));
    return;
  }
  const c = context as Record<string, unknown>;
  let message: unknown;
  try {
    message = c.message;
  } catch {
    message = undefined;
  }
  lines.push(
    indent +
      (typeof message === "string" && message !== ""
        ? message
        : "Unhandled exception in event loop"),
  );
  let keys: string[];
  try {
    keys = Object.keys(c).sort();
  } catch {
    keys = [];
  }
  let err: unknown;
  for (const k of keys) {
    if (k === "message") continue;
    let v: unknown;
    try {
      v = c[k];
    } catch (e) {
      v = `<reading it threw ${show(e)}>`;
    }
    if (v === undefined) continue;
    if (k === "exception") {
      err = v;
    } else if (k === "context") {
      lines.push(`${indent}context:`);
      format(v, indent + "  ", lines);
    } else {
      lines.push(`${indent}${k}: ${show(v)}`);
    }
  }
  if (err !== undefined) {
    const text = show(err);
    for (const line of text.split("\n")) lines.push(indent + line);
  }
}

/**
 * The log when the exception handlers themselves fail: plain
 * `console.error`, which cannot fail on our formatted text.
 * @internal
 */
export function lastResortLog(
  message: string,
  error: unknown,
  context: ExceptionContext,
): void {
  try {
    console.error(
      _formatContext({ message, exception: error, context }),
    );
  } catch {
    // Nothing is left to report with; the loop must keep running.
  }
}
