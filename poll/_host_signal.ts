/**
 * The one place that asks the host runtime for signal notifications:
 * Deno's `addSignalListener`, Node's and Bun's `process.on(name)`.
 * signalfd cannot work in a multithreaded runtime: the kernel delivers a
 * process signal to any thread that does not block it, and we do not own
 * the runtime's threads.
 *
 * @module
 */

import { runtime } from "./_runtime.ts";

/** What we use of Node's and Bun's `process` (no Node types needed). */
interface SignalProcess {
  on(name: string, listener: () => void): unknown;
  off(name: string, listener: () => void): unknown;
}

// Signals no process can catch. Node refuses them (EINVAL), Bun accepts
// the listener and never calls it: refuse them on every runtime alike.
const UNCATCHABLE = new Set(["SIGKILL", "SIGSTOP"]);

/**
 * Call `listener` on the host's event loop whenever signal `name` (e.g.
 * `"SIGTERM"`) arrives; returns the function that stops it. Removing the
 * last listener of a signal gives it back its default action.
 *
 * @throws {TypeError} if the host refuses the signal: SIGKILL and SIGSTOP
 *   everywhere; Deno also refuses SIGSEGV, SIGILL, SIGFPE (Node and Bun
 *   let them be listened to, as Python does).
 * @internal
 */
export function listenHostSignal(
  name: string,
  listener: () => void,
): () => void {
  if (runtime === "deno") {
    Deno.addSignalListener(name as Deno.Signal, listener);
    return () => Deno.removeSignalListener(name as Deno.Signal, listener);
  }
  if (UNCATCHABLE.has(name)) {
    throw new TypeError(`Cannot listen to ${name}: it cannot be caught`);
  }
  const proc = (globalThis as unknown as { process: SignalProcess }).process;
  try {
    proc.on(name, listener);
  } catch (err) {
    throw new TypeError(`Cannot listen to ${name}: the runtime refused it`, {
      cause: err,
    });
  }
  return () => void proc.off(name, listener);
}
