/**
 * A multi-process server: several `deno` processes each listen on the same
 * port with `reusePort`, and the kernel spreads connections over them (a
 * pre-fork server without a master accept loop). `deno run --allow-ffi
 * --allow-run examples/reuse_port.ts` starts 3 workers, makes 30
 * connections and prints which worker answered each.
 *
 * @module
 */

import {
  createConnection,
  createServer,
  getRunningLoop,
  type Protocol,
  run,
  sleep,
  Socket,
  type Transport,
} from "../mod.ts";

class WhoAmI implements Protocol {
  connectionMade(t: Transport): void {
    t.write(new TextEncoder().encode(String(Deno.pid)));
    t.close();
  }
  dataReceived(): void {}
}

if (Deno.args[0] === "--worker") {
  const port = Number(Deno.args[1]);
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createServer(
      loop,
      () => new WhoAmI(),
      "127.0.0.1",
      port,
      {
        reusePort: true,
      },
    );
    console.log(`worker ${Deno.pid} listening`);
    yield* server.serveForever();
  });
} else {
  // Pick a free port: bind with reusePort and keep it until workers listen.
  const probe = new Socket();
  probe.setsockopt(1, Deno.build.os === "linux" ? 15 : 0x200, 1);
  probe.bind(["127.0.0.1", 0]);
  const [, port] = probe.getsockname() as [string, number];
  const workers = [0, 1, 2].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-ffi",
        import.meta.filename!,
        "--worker",
        String(port),
      ],
      stdout: "inherit",
    }).spawn()
  );
  probe.close();
  await run(function* () {
    const loop = getRunningLoop();
    yield* sleep(1.5); // let the workers start listening
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const done = loop.createFuture<void>();
      let who = "";
      yield* createConnection(
        loop,
        () => ({
          dataReceived: (d: Uint8Array) =>
            void (who += new TextDecoder().decode(d)),
          connectionLost: () => done.setResult(undefined),
        }),
        "127.0.0.1",
        port,
      );
      yield* done;
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    for (const [pid, n] of counts) {
      console.log(`worker ${pid} answered ${n} connections`);
    }
  });
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.status));
}
