/**
 * The one place that asks the host runtime for signal notifications
 * (Deno's `addSignalListener`; Node and Bun would use `process.on(name)`).
 * signalfd cannot work in a multithreaded runtime: the kernel delivers a
 * process signal to any thread that does not block it, and we do not own
 * the runtime's threads.
 *
 * @module
 */

/**
 * Call `listener` on the host's event loop whenever signal `name` (e.g.
 * `"SIGTERM"`) arrives; returns the function that stops it.
 *
 * @throws {TypeError} if the host refuses the signal (Deno refuses SIGKILL,
 *   SIGSTOP, SIGSEGV, SIGILL, SIGFPE).
 * @internal
 */
export function listenHostSignal(
  name: string,
  listener: () => void,
): () => void {
  Deno.addSignalListener(name as Deno.Signal, listener);
  return () => Deno.removeSignalListener(name as Deno.Signal, listener);
}
