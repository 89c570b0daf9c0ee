/**
 * The messages between a pool and its workers (threads or processes), and
 * how an error crosses: as its name, message, stack and primitive fields,
 * revived on the caller's side as an instance of the same class when the
 * caller knows it.
 *
 * @module
 */

import type { NativeSignature } from "./work.ts";
import {
  CancelledError,
  InvalidStateError,
  RuntimeError,
} from "../futures/errors.ts";
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  InterruptedError,
  OSError,
  PermissionError,
  TimeoutError,
} from "../poll/errors.ts";

/** What to run. @internal */
export interface WorkRef {
  kind: "module" | "ffi";
  moduleUrl: string;
  exportName: string;
  signature?: NativeSignature;
}

/** Pool -> worker. @internal */
export type ToWorker =
  | { t: "bell"; fd: number; boxes: SharedArrayBuffer }
  | { t: "slot" }
  | { t: "exit" }
  | { t: "init"; work: WorkRef | null; args: unknown[] }
  | { t: "job"; id: number; work: WorkRef; args: unknown[]; fast?: boolean }
  | {
    t: "batch";
    id: number;
    work: WorkRef;
    args: unknown[][];
    fast?: boolean;
  };

/** Worker -> pool. @internal */
export type FromWorker =
  | { t: "ready" }
  | { t: "poke" }
  | { t: "initFailed"; error: WireError }
  | { t: "ok"; id: number; value: unknown }
  | { t: "err"; id: number; error: WireError };

/** Another thread -> a `LoopPort`. @internal */
export type PortRequest =
  | { t: "run"; id: number; work: WorkRef; args: unknown[] }
  | { t: "cancel"; id: number };

/** A `LoopPort` -> the thread that asked. @internal */
export type PortReply =
  | { t: "ok"; id: number; value: unknown }
  | { t: "err"; id: number; error: WireError }
  | { t: "cancelled"; id: number };

/** An error in transit. @internal */
export interface WireError {
  name: string;
  message: string;
  stack: string | undefined;
  props: Record<string, string | number | boolean | null>;
}

/**
 * The reply that replaces a result which could not be cloned (`err`, what
 * the serializer threw): a TypeError that says so. @internal
 */
export function unclonableResult(
  id: number,
  err: unknown,
  what = "work",
): { t: "err"; id: number; error: WireError } {
  return {
    t: "err",
    id,
    error: toWire(
      new TypeError(
        `Cannot return the ${what}'s result: it cannot be cloned (${
          err instanceof Error ? err.message : String(err)
        })`,
      ),
    ),
  };
}

/** Flatten `err` for the trip back. @internal */
export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) {
    return {
      name: "Error",
      message: `Work threw a non-Error value: ${safeString(err)}`,
      stack: undefined,
      props: {},
    };
  }
  const props: WireError["props"] = {};
  for (const k of Object.keys(err)) {
    const v = (err as unknown as Record<string, unknown>)[k];
    if (
      v === null || typeof v === "string" || typeof v === "number" ||
      typeof v === "boolean"
    ) props[k] = v;
  }
  return { name: err.name, message: err.message, stack: err.stack, props };
}

const KNOWN: Record<string, { prototype: Error }> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
  CancelledError,
  InvalidStateError,
  RuntimeError,
  OSError,
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  InterruptedError,
  PermissionError,
  TimeoutError,
};

/**
 * The caller's copy of a worker's error: the same class when it is a
 * built-in or one of this module's, else an `Error` whose `name` is the
 * worker's class name; the worker's stack, and its primitive fields.
 * @internal
 */
export function fromWire(w: WireError): Error {
  const Cls = Object.hasOwn(KNOWN, w.name) ? KNOWN[w.name] : Error;
  const err = Object.create(Cls.prototype) as Error;
  for (const [k, v] of Object.entries(w.props)) {
    Object.defineProperty(err, k, {
      value: v,
      writable: true,
      configurable: true,
      enumerable: true,
    });
  }
  for (const [k, v] of [["message", w.message], ["stack", w.stack]]) {
    Object.defineProperty(err, k as string, {
      value: v ?? `${w.name}: ${w.message}`,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  if (err.name !== w.name) {
    Object.defineProperty(err, "name", {
      value: w.name,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return err;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
