/**
 * Graceful shutdown with `loop.addSignalHandler`: an echo server that, on
 * SIGTERM or SIGINT, cancels its main task, so the `finally` blocks close
 * the server and say goodbye before the process exits 0.
 *
 * `deno run --allow-ffi examples/graceful_shutdown.ts [port]`, then
 * `kill -TERM <pid>` (or Ctrl-C).
 *
 * @module
 */

import {
  currentTask,
  type EventLoop,
  getRunningLoop,
  type Protocol,
  run,
  type Transport,
} from "../mod.ts";

/** Write back what arrives. */
class Echo implements Protocol {
  #t!: Transport;
  connectionMade(t: Transport): void {
    this.#t = t;
  }
  dataReceived(data: Uint8Array): void {
    this.#t.write(data);
  }
}

/** Serve until SIGTERM or SIGINT, then shut down cleanly. */
export async function serveUntilSignalled(port = 0): Promise<void> {
  await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const main = currentTask()!;
    for (const sig of ["SIGTERM", "SIGINT"]) {
      loop.addSignalHandler(sig, () => {
        console.log(`got ${sig}, shutting down`);
        main.cancel();
      });
    }
    const server = yield* loop.createServer(
      () => new Echo(),
      "127.0.0.1",
      port,
    );
    const [, bound] = server.sockets[0].getsockname() as [string, number];
    console.log(`pid ${Deno.pid} serving on 127.0.0.1:${bound}`);
    try {
      yield* server.serveForever();
    } finally {
      server.close();
      yield* server.waitClosed();
      loop.removeSignalHandler("SIGTERM");
      loop.removeSignalHandler("SIGINT");
      console.log("server closed");
    }
  }).catch((err) => {
    // The cancellation we asked for is the normal way out.
    if (!(err instanceof Error && err.name === "CancelledError")) throw err;
  });
  console.log("bye");
}

if (import.meta.main) await serveUntilSignalled(Number(Deno.args[0] ?? 0));
