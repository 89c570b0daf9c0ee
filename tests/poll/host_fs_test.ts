import assert from "node:assert/strict";
import { lstatPath } from "../../poll/_host_fs.ts";
import { close } from "../../poll/fd.ts";
import { bind, socket } from "../../poll/socket.ts";
import { encodeSockaddr } from "../../poll/sockaddr.ts";
import { AF_UNIX, SOCK_STREAM } from "../../poll/socket_constants.ts";
import { libc } from "../../poll/_libc.ts";
import { test } from "./_helpers.ts";

test("lstatPath() is null for a path with nothing there", () => {
  assert.equal(lstatPath(`/tmp/asyncio-no-such-${Deno.pid}`), null);
});

test("lstatPath() tells a socket file from a regular file", () => {
  const path = `/tmp/asyncio-host-fs-${Deno.pid}.sock`;
  const fd = socket(AF_UNIX, SOCK_STREAM);
  try {
    bind(fd, encodeSockaddr(AF_UNIX, path));
    const sock = lstatPath(path);
    assert.equal(sock?.isSocket, true);
    assert.ok(typeof sock?.ino === "number" && sock.ino > 0);
    assert.equal(lstatPath("/etc/hostname")?.isSocket ?? false, false);
  } finally {
    close(fd);
    libc().unlink(new TextEncoder().encode(path + "\0"));
  }
});
