import assert from "node:assert/strict";
import {
  createConnection,
  createServer,
  getRunningLoop,
  listenFds,
  run,
  Socket,
} from "../../mod.ts";
import { Collect, Echo, shutdownServer, test } from "./_helpers.ts";

test("listenFds() ignores variables meant for another process", () => {
  assert.deepEqual(
    listenFds({ env: { LISTEN_PID: "1", LISTEN_FDS: "2" }, pid: 2 }).sockets,
    [],
  );
  assert.deepEqual(listenFds({ env: {} }).sockets, []);
});

test("listenFds() rejects a malformed LISTEN_FDS", () => {
  assert.throws(
    () => listenFds({ env: { LISTEN_PID: "7", LISTEN_FDS: "many" }, pid: 7 }),
    RangeError,
  );
});

test("listenFds() adopts the passed fds and createServer() serves on them", async () => {
  // A listening socket at a known fd, as a service manager passes them
  // (fd 3 itself is the runtime's here: firstFd points at ours).
  const made = new Socket();
  made.bind(["127.0.0.1", 0]);
  made.listen();
  const [, port] = made.getsockname() as [string, number];
  const fd = made.detach();
  const { sockets, names } = listenFds({
    env: { LISTEN_PID: "42", LISTEN_FDS: "1", LISTEN_FDNAMES: "web" },
    pid: 42,
    firstFd: fd,
  });
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].fileno(), fd);
  assert.deepEqual(names, ["web"]);
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createServer(loop, () => new Echo(), null, null, {
      sock: sockets[0],
    });
    const [t, p] = yield* createConnection(
      loop,
      () => new Collect(loop),
      "127.0.0.1",
      port,
    );
    t.write(new Uint8Array([3]));
    t.writeEof();
    yield* p.lost;
    assert.deepEqual(p.bytes(), new Uint8Array([3]));
    yield* shutdownServer(server);
  });
});
