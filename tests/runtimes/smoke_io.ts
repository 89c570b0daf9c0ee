/**
 * The second runtime-neutral smoke program (no `Deno.*`): networking,
 * subprocesses and signals through the public API, on whichever runtime
 * runs the bundle. TCP with protocols and with streams, UDP, a Unix
 * socket, name resolution off the JS thread, a child process with pipes,
 * a signal handler, and the host's own timer firing on time while the loop
 * waits. Bundled and run under Node and Bun by `node_bun_test.ts`; prints
 * one JSON line of what it saw, and exits non-zero on any failure.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  createConnection,
  createDatagramEndpoint,
  createServer,
  createSubprocessExec,
  getRunningLoop,
  openConnection,
  openUnixConnection,
  PIPE,
  run,
  type Server,
  sleep,
  type SocketAddress,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
  type Transport,
} from "../../mod.ts";
import { getaddrinfo } from "../../poll/getaddrinfo.ts";
import { pid, runtime } from "../../poll/_runtime.ts";
import { hasPidfd, killProcess } from "../../poll/spawn.ts";
import { assertNoFdLeaked, openFds } from "./_fd_census.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const seen: string[] = [];

function portOf(server: Server): number {
  return (server.sockets[0].getsockname() as [string, number])[1];
}

function* closeServer(server: Server): Generator<unknown, void, unknown> {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
}

async function echo(reader: StreamReader, writer: StreamWriter) {
  const line = await reader.readline();
  writer.write(line);
  await writer.drain();
  writer.close();
  await writer.waitClosed();
}

// Warm-up: the first run loads the FFI backend and, on Node, starts
// koffi's pool threads; on Bun the waiter Worker. Their fds are the
// runtime's, kept for the process: count after them.
await run(async () => {
  await sleep(0.001);
  await getaddrinfo("localhost", 80, { type: 1 });
});
const fdsBefore = openFds();

await run(function* () {
  const loop = getRunningLoop();

  // TCP with protocols: createServer + createConnection.
  {
    const server = yield* createServer(
      loop,
      () => {
        let t: Transport;
        return {
          connectionMade: (tr: Transport) => (t = tr),
          dataReceived: (d: Uint8Array) => t.write(d),
        };
      },
      "127.0.0.1",
      0,
    );
    const done = loop.createFuture<Uint8Array>();
    const [t] = yield* createConnection(
      loop,
      () => ({
        dataReceived: (d: Uint8Array) => done.setResult(d),
      }),
      "127.0.0.1",
      portOf(server),
    );
    t.write(enc.encode("ping"));
    assert.equal(dec.decode(yield* done), "ping");
    t.close();
    yield* closeServer(server);
    seen.push("tcp");
  }

  // TCP with streams, the client resolving "localhost" (getaddrinfo off
  // the JS thread: koffi's pool on Node, a Worker on Bun).
  {
    const server = yield* startServer(echo, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection(
      "localhost",
      portOf(server),
    );
    writer.write(enc.encode("hello streams\n"));
    assert.equal(dec.decode(yield* reader.read(100)), "hello streams\n");
    writer.close();
    yield* writer.waitClosed();
    yield* closeServer(server);
    seen.push("streams");
  }

  // UDP: a datagram to ourselves.
  {
    const done = loop.createFuture<Uint8Array>();
    const [t] = yield* createDatagramEndpoint(loop, () => ({
      datagramReceived: (d: Uint8Array, _a: SocketAddress) => done.setResult(d),
    }), { localAddr: ["127.0.0.1", 0] });
    t.sendto(
      new Uint8Array([1, 2, 3]),
      t.getExtraInfo("sockname") as SocketAddress,
    );
    assert.deepEqual(yield* done, new Uint8Array([1, 2, 3]));
    t.close();
    seen.push("udp");
  }

  // A Unix socket on a path, removed again by close().
  {
    const path = `/tmp/asyncio-smoke-${runtime}-${pid()}.sock`;
    const server = yield* startUnixServer(echo, path);
    const [reader, writer] = yield* openUnixConnection(path);
    writer.write(enc.encode("over unix\n"));
    assert.equal(dec.decode(yield* reader.readline()), "over unix\n");
    writer.close();
    yield* writer.waitClosed();
    yield* closeServer(server);
    assert.equal(existsSync(path), false, "the socket file stayed");
    seen.push("unix");
  }

  // A child process: input and output through pipes, exit codes.
  {
    const proc = yield* createSubprocessExec("tr", ["a-z", "A-Z"], {
      stdin: PIPE,
      stdout: PIPE,
    });
    const [out] = yield* proc.communicate(enc.encode("shout"));
    assert.equal(dec.decode(out!), "SHOUT");
    assert.equal(proc.returncode, 0);
    const exit3 = yield* createSubprocessExec("sh", ["-c", "exit 3"]);
    assert.equal(yield* exit3.wait(), 3);
    const sleeper = yield* createSubprocessExec("sleep", ["30"]);
    sleeper.kill();
    assert.equal(yield* sleeper.wait(), -9);
    // Exit is watched through a pidfd on Linux, on every runtime.
    assert.equal(hasPidfd(), true);
    // The child's environment is ours by default, as the host's JS sees it
    // (Bun keeps process.env apart from C's environ).
    const host = globalThis as unknown as {
      process: { env: Record<string, string | undefined> };
    };
    host.process.env.ASYNCIO_SMOKE = "from-js";
    const env = yield* createSubprocessExec(
      "sh",
      ["-c", 'echo "$HOME:$ASYNCIO_SMOKE"'],
      { stdout: PIPE },
    );
    const [vars] = yield* env.communicate();
    const [home, mine] = dec.decode(vars!).trim().split(":");
    assert.ok(home.length > 0, "the child had no HOME");
    assert.equal(mine, "from-js", "the child did not get process.env");
    seen.push("subprocess");
  }

  // A signal handler runs on the loop.
  {
    const got = loop.createFuture<string>();
    loop.addSignalHandler("SIGUSR1", () => got.setResult("usr1"));
    killProcess(pid(), "SIGUSR1");
    assert.equal(yield* got, "usr1");
    loop.removeSignalHandler("SIGUSR1");
    assert.throws(() => loop.addSignalHandler("SIGKILL", () => {}), {
      name: "RuntimeError",
    });
    seen.push("signal");
  }

  // The host's own timer fires on time while the loop sleeps (the host is
  // never starved): well before the 300 ms the loop waits.
  {
    const t0 = performance.now();
    let firedAt = -1;
    setTimeout(() => firedAt = performance.now() - t0, 10);
    yield* sleep(0.3);
    assert.ok(firedAt >= 0, "the host timer never fired during the wait");
    assert.ok(firedAt < 150, `the host timer fired late: ${firedAt} ms`);
    seen.push("host");
  }
});

await assertNoFdLeaked(fdsBefore);
console.log(JSON.stringify({ runtime, seen }));
