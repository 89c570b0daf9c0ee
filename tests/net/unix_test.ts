import assert from "node:assert/strict";
import {
  createUnixConnection,
  createUnixServer,
  FileNotFoundError,
  getRunningLoop,
  run,
  Socket,
} from "../../mod.ts";
import { SUN_PATH_MAX } from "../../poll/sockaddr.ts";
import { Collect, Echo, openFds, shutdownServer, test } from "./_helpers.ts";

let n = 0;
const tmpPath = () => `/tmp/asyncio-test-${Deno.pid}-${n++}.sock`;
const exists = (p: string) => {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

test("createUnixServer() serves on a path and removes the socket file on close", async () => {
  const path = tmpPath();
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createUnixServer(loop, () => new Echo(), path);
    assert.ok(exists(path));
    const [t, p] = yield* createUnixConnection(
      loop,
      () => new Collect(loop),
      path,
    );
    assert.equal(t.getExtraInfo("peername"), path);
    t.write(new TextEncoder().encode("unix"));
    t.writeEof();
    yield* p.lost;
    assert.equal(new TextDecoder().decode(p.bytes()), "unix");
    yield* shutdownServer(server);
    assert.equal(exists(path), false);
  });
});

test("createUnixServer() replaces a stale socket file", async () => {
  const path = tmpPath();
  // A socket file nobody listens on any more.
  const stale = new Socket({ family: 1 });
  stale.bind(path);
  stale.close();
  assert.ok(exists(path));
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* createUnixServer(loop, () => new Echo(), path);
    const [t] = yield* createUnixConnection(
      loop,
      () => new Collect(loop),
      path,
    );
    t.close();
    yield* shutdownServer(server);
  });
  assert.equal(exists(path), false);
});

test(
  "createUnixServer() and createUnixConnection() take Linux abstract names",
  async () => {
    const name = `\0asyncio-test-${Deno.pid}`;
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* createUnixServer(loop, () => new Echo(), name);
      const [t, p] = yield* createUnixConnection(
        loop,
        () => new Collect(loop),
        name,
      );
      t.write(new Uint8Array([1]));
      t.writeEof();
      yield* p.lost;
      assert.deepEqual(p.bytes(), new Uint8Array([1]));
      yield* shutdownServer(server);
    });
  },
  { ignore: Deno.build.os !== "linux" },
);

test("createUnixConnection() to a missing path fails with FileNotFoundError naming it", async () => {
  const path = tmpPath();
  await run(function* () {
    const loop = getRunningLoop();
    try {
      yield* createUnixConnection(loop, () => new Collect(loop), path);
      assert.fail("connected");
    } catch (e) {
      assert.ok(e instanceof FileNotFoundError);
      assert.ok(e.message.includes(path));
    }
  });
});

test("Unix calls reject a path too long for sun_path before opening anything", async () => {
  const long = "/tmp/" + "x".repeat(SUN_PATH_MAX);
  await run(function* () {
    const loop = getRunningLoop();
    const before = openFds().length;
    assert.throws(
      () => createUnixServer(loop, () => new Echo(), long),
      RangeError,
    );
    assert.throws(
      () => createUnixConnection(loop, () => new Collect(loop), long),
      RangeError,
    );
    assert.throws(
      () => createUnixConnection(loop, () => new Collect(loop)),
      TypeError,
    );
    assert.throws(
      () => createUnixServer(loop, () => new Echo(), "/tmp/x", { backlog: -5 }),
      RangeError,
    );
    assert.equal(openFds().length, before);
    assert.equal(exists(long), false);
  });
});
