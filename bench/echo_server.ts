/**
 * Our echo servers for the echo workloads (WORKLOADS.md): `protocol`
 * (`dataReceived -> transport.write`), `buffered` (a `BufferedProtocol`
 * receiving into one buffer shared by every connection, as uvloop's vmbench
 * `--buffered`: no allocation per read, so no garbage for the GC) and `sock`
 * (`loop.sockRecv` / `loop.sockSendall` per connection, generator tasks). Prints `PORT <n>`
 * once listening on 127.0.0.1, then serves until killed.
 *
 * `deno run --allow-ffi bench/echo_server.ts protocol|buffered|sock [port]
 *  [--host-delay S]` (`--host-delay`: the loop's `hostDelay`, how often
 * Deno's own event loop gets a turn; default the loop's, 10 ms)
 *
 * @module
 */

import {
  type BufferedProtocol,
  createServer,
  createTask,
  getRunningLoop,
  type Protocol,
  run,
  Socket,
  type Transport,
} from "../mod.ts";

class Echo implements Protocol {
  #t!: Transport;
  connectionMade(t: Transport): void {
    this.#t = t;
  }
  dataReceived(data: Uint8Array): void {
    this.#t.write(data);
  }
}

// One receive buffer for every connection: write() sends from it at once
// and copies only what the socket did not take, so it is free again when
// bufferUpdated returns.
const shared = new Uint8Array(256 * 1024);

class BufferedEcho implements BufferedProtocol {
  #t!: Transport;
  connectionMade(t: Transport): void {
    this.#t = t;
  }
  getBuffer(): Uint8Array {
    return shared;
  }
  bufferUpdated(n: number): void {
    this.#t.write(shared.subarray(0, n));
  }
}

const variant = Deno.args[0] ?? "protocol";
const port = Number(Deno.args[1] ?? 0);
const hd = Deno.args.indexOf("--host-delay");
const hostDelay = hd === -1 ? undefined : Number(Deno.args[hd + 1]);

await run(function* () {
  const loop = getRunningLoop();
  if (variant === "protocol" || variant === "buffered") {
    const server = yield* createServer(
      loop,
      variant === "buffered" ? () => new BufferedEcho() : () => new Echo(),
      "127.0.0.1",
      port,
    );
    const [, p] = server.sockets[0].getsockname() as [string, number];
    console.log(`PORT ${p}`);
    yield* server.serveForever();
    return;
  }
  if (variant !== "sock") {
    throw new RangeError(
      `Unknown variant ${variant}: protocol, buffered or sock`,
    );
  }
  const listener = new Socket();
  listener.setsockopt(1, 2, 1); // SO_REUSEADDR (Linux)
  listener.bind(["127.0.0.1", port]);
  listener.listen(1000);
  console.log(`PORT ${(listener.getsockname() as [string, number])[1]}`);
  function* serve(conn: Socket) {
    try {
      for (;;) {
        const data = yield* loop.sockRecv(conn, 65536);
        if (data.length === 0) break;
        yield* loop.sockSendall(conn, data);
      }
    } catch {
      // A reset peer ends the connection.
    } finally {
      conn.close();
    }
  }
  for (;;) {
    const [conn] = yield* loop.sockAccept(listener);
    conn.setsockopt(6, 1, 1); // TCP_NODELAY, as uvloop's vmbench
    createTask(serve(conn));
  }
}, { hostDelay });
