/**
 * A line-based chat server on streams: a client's first line is its name,
 * every later line goes to every other client as `name: line`.
 *
 * Each member has a bounded outbox and its own writer task that writes and
 * drains, so a slow member never holds up the others, and one that falls
 * too far behind (its outbox full) is disconnected instead of buffering
 * without bound.
 *
 * `npx deno run --allow-ffi examples/stream_chat.ts [port]` serves
 * 127.0.0.1:8889 until stopped (connect with any line-based TCP client);
 * `--demo` runs it on a free port with three scripted clients and exits.
 *
 * @module
 */

import {
  type Coro,
  createTask,
  openConnection,
  Queue,
  QueueFull,
  run,
  type Server,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One connected member. */
class Member {
  readonly outbox = new Queue<Uint8Array>(100);
  constructor(readonly name: string, readonly writer: StreamWriter) {}

  /** Queue `line` for this member; false if it is too far behind. */
  send(line: Uint8Array): boolean {
    try {
      this.outbox.putNowait(line);
      return true;
    } catch (err) {
      if (err instanceof QueueFull) return false;
      throw err;
    }
  }

  /** Write what is queued, draining after each line. */
  *pump(): Coro<void> {
    for (;;) {
      this.writer.write(yield* this.outbox.get());
      yield* this.writer.drain();
    }
  }
}

const members = new Set<Member>();

function broadcast(from: Member | null, text: string): void {
  const line = enc.encode(text);
  for (const m of members) {
    if (m !== from && !m.send(line)) {
      members.delete(m);
      m.writer.close(); // too slow: dropped
    }
  }
}

/** One client: name, then lines until EOF. */
export function* chatClient(reader: StreamReader, writer: StreamWriter) {
  writer.write(enc.encode("Your name?\n"));
  const name = dec.decode(yield* reader.readline()).trim();
  if (name === "") {
    writer.close();
    return;
  }
  const me = new Member(name, writer);
  members.add(me);
  const pump = createTask(me.pump());
  broadcast(me, `* ${name} joined (${members.size} here)\n`);
  try {
    yield* reader.eachLine((line) => {
      broadcast(me, `${name}: ${dec.decode(line)}`);
    });
  } finally {
    members.delete(me);
    pump.cancel();
    broadcast(me, `* ${name} left\n`);
    writer.close();
  }
}

/** Three scripted clients talk, then leave. */
function* demo(server: Server) {
  const [, port] = server.sockets[0].getsockname() as [string, number];
  const names = ["ada", "bob", "cy"];
  const clients = [];
  for (const name of names) {
    const [reader, writer] = yield* openConnection("127.0.0.1", port);
    yield* reader.readline(); // "Your name?"
    writer.write(enc.encode(`${name}\n`));
    clients.push({ name, reader, writer });
    yield* sleep(0.05);
  }
  clients[0].writer.write(enc.encode("hello all\n"));
  clients[1].writer.write(enc.encode("hi ada\n"));
  yield* sleep(0.05);
  for (const c of clients) {
    c.writer.writeEof();
    yield* sleep(0.02);
  }
  for (const c of clients) {
    const heard = dec.decode(yield* c.reader.read());
    console.log(
      `${c.name} heard:\n  ${heard.trimEnd().split("\n").join("\n  ")}`,
    );
    c.writer.close();
  }
}

if (import.meta.main) {
  const isDemo = Deno.args.includes("--demo");
  const port = isDemo
    ? 0
    : Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 8889);
  await run(function* () {
    const server = yield* startServer(chatClient, "127.0.0.1", port);
    console.log(`Chat on ${JSON.stringify(server.sockets[0].getsockname())}`);
    if (!isDemo) return yield* server.serveForever();
    yield* demo(server);
    server.close();
    server.closeClients();
    yield* server.waitClosed();
  });
}
