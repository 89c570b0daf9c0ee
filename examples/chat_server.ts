/**
 * A chat server: every line a client sends goes to every other client.
 * `deno run --allow-ffi examples/chat_server.ts` runs the server with three
 * scripted clients; `--serve [port]` keeps it running for `nc 127.0.0.1
 * <port>` clients instead.
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
  type Transport,
} from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const members = new Set<Member>();

/** One connected member: its lines are broadcast to the others. */
class Member implements Protocol {
  t!: Transport;
  name = "";
  #pending = "";
  connectionMade(t: Transport): void {
    this.t = t;
    this.name = `user${members.size + 1}`;
    members.add(this);
    this.#broadcast(`* ${this.name} joined (${members.size} here)\n`);
  }
  dataReceived(data: Uint8Array): void {
    this.#pending += dec.decode(data);
    let nl: number;
    while ((nl = this.#pending.indexOf("\n")) !== -1) {
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + 1);
      this.#broadcast(`<${this.name}> ${line}\n`);
    }
  }
  connectionLost(): void {
    members.delete(this);
    this.#broadcast(`* ${this.name} left\n`);
  }
  #broadcast(text: string): void {
    const bytes = enc.encode(text);
    // A slow member only grows its own buffer; a closing one is skipped.
    for (const m of members) {
      if (m !== this && !m.t.isClosing()) m.t.write(bytes);
    }
  }
}

const serve = Deno.args[0] === "--serve";
await run(function* () {
  const loop = getRunningLoop();
  const port = serve ? Number(Deno.args[1] ?? 8888) : 0;
  const server = yield* createServer(
    loop,
    () => new Member(),
    "127.0.0.1",
    port,
  );
  const [, bound] = server.sockets[0].getsockname() as [string, number];
  console.log(`chat on 127.0.0.1:${bound}`);
  if (serve) {
    yield* server.serveForever();
    return;
  }
  const logs: string[][] = [];
  const ts: Transport[] = [];
  for (let i = 0; i < 3; i++) {
    const log: string[] = [];
    logs.push(log);
    const [t] = yield* createConnection(
      loop,
      () => ({
        dataReceived: (d: Uint8Array) => void log.push(dec.decode(d)),
      }),
      "127.0.0.1",
      bound,
    );
    ts.push(t);
    yield* sleep(0.01);
  }
  ts[0].write(enc.encode("hi all\n"));
  ts[2].write(enc.encode("hello user1\n"));
  yield* sleep(0.05);
  ts[1].close();
  yield* sleep(0.05);
  logs.forEach((log, i) =>
    console.log(
      `client ${i + 1} saw:\n  ${
        log.join("").trimEnd().split("\n").join("\n  ")
      }`,
    )
  );
  for (const t of ts) t.close();
  server.close();
  yield* server.waitClosed();
});
