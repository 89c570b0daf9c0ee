/**
 * A server on an inherited, socket-activated listening fd: what Deno's own
 * API cannot do (denoland/deno#14006). Under systemd or
 * `systemd-socket-activate -l 127.0.0.1:8080 deno run --allow-ffi
 * --allow-env examples/activated_server.ts`, it serves on the fds the
 * manager passed (LISTEN_FDS/LISTEN_PID). Run directly, it makes its own
 * listening socket, hands it over by fd number exactly as an inherited one
 * would be, and talks to itself once.
 *
 * @module
 */

import {
  createConnection,
  createServer,
  getRunningLoop,
  listenFds,
  type Protocol,
  run,
  Socket,
  type Transport,
} from "../mod.ts";

class Hello implements Protocol {
  connectionMade(t: Transport): void {
    t.write(new TextEncoder().encode(`hello from pid ${Deno.pid}\n`));
    t.close();
  }
  dataReceived(): void {}
}

let env: Record<string, string | undefined> = {};
try {
  env = {
    LISTEN_PID: Deno.env.get("LISTEN_PID"),
    LISTEN_FDS: Deno.env.get("LISTEN_FDS"),
    LISTEN_FDNAMES: Deno.env.get("LISTEN_FDNAMES"),
  };
} catch {
  // No --allow-env: nothing was activated as far as we can tell.
}
const activated = listenFds({ env }).sockets;

await run(function* () {
  const loop = getRunningLoop();
  if (activated.length > 0) {
    for (const sock of activated) {
      const server = yield* createServer(loop, () => new Hello(), null, null, {
        sock,
      });
      console.log(
        `serving on activated fd ${sock.fileno()}: ${
          JSON.stringify(sock.getsockname())
        }`,
      );
      loop.createTask(server.serveForever());
    }
    yield* loop.createFuture<void>(); // until killed
    return;
  }
  // No manager: a bound socket passed by fd number, as one inherited.
  const own = new Socket();
  own.bind(["127.0.0.1", 0]);
  const [, port] = own.getsockname() as [string, number];
  const fd = own.detach();
  const server = yield* createServer(loop, () => new Hello(), null, null, {
    sock: fd,
  });
  console.log(`serving on fd ${fd} (127.0.0.1:${port})`);
  const got = loop.createFuture<string>();
  yield* createConnection(
    loop,
    () => ({
      dataReceived: (d: Uint8Array) =>
        got.setResult(new TextDecoder().decode(d).trim()),
    }),
    "127.0.0.1",
    port,
  );
  console.log(`client got: ${yield* got}`);
  server.close();
  server.closeClients();
  yield* server.waitClosed();
});
