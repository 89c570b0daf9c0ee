/**
 * A small request/response service on a Unix socket: each line is a
 * command (`time`, `upper <text>`, `quit`). The socket file is removed when
 * the server closes. `deno run --allow-ffi --allow-read examples/unix_service.ts`
 * (`--allow-read` lets the server check for a stale socket file).
 *
 * @module
 */

import {
  createUnixConnection,
  createUnixServer,
  getRunningLoop,
  type Protocol,
  run,
  type Transport,
} from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Line-based commands. */
class Service implements Protocol {
  #t!: Transport;
  #pending = "";
  connectionMade(t: Transport): void {
    this.#t = t;
  }
  dataReceived(data: Uint8Array): void {
    this.#pending += dec.decode(data);
    let nl: number;
    while ((nl = this.#pending.indexOf("\n")) !== -1) {
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + 1);
      this.#command(line);
    }
  }
  #command(line: string): void {
    const [cmd, ...rest] = line.split(" ");
    if (cmd === "time") {
      this.#t.write(enc.encode(`${new Date().toISOString()}\n`));
    } else if (cmd === "upper") {
      this.#t.write(enc.encode(rest.join(" ").toUpperCase() + "\n"));
    } else if (cmd === "quit") this.#t.close();
    else this.#t.write(enc.encode(`unknown command: ${cmd}\n`));
  }
}

const path = `/tmp/asyncio-example-${Deno.pid}.sock`;
await run(function* () {
  const loop = getRunningLoop();
  const server = yield* createUnixServer(loop, () => new Service(), path);
  console.log(`service on ${path}`);
  const done = loop.createFuture<string>();
  let answer = "";
  const [t] = yield* createUnixConnection(loop, () => ({
    dataReceived: (d: Uint8Array) => void (answer += dec.decode(d)),
    connectionLost: () => done.setResult(answer),
  }), path);
  t.write(
    enc.encode("upper hello from a unix socket\ntime\nfrobnicate\nquit\n"),
  );
  console.log(yield* done);
  server.close();
  yield* server.waitClosed();
  console.log(
    "socket file removed:",
    (() => {
      try {
        Deno.lstatSync(path);
        return false;
      } catch {
        return true;
      }
    })(),
  );
});
