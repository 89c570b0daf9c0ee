import assert from "node:assert/strict";
import { fcntl } from "../../poll/_libc.ts";
import {
  acceptOrAgain,
  bind,
  closeQuietly,
  connectStart,
  getsockname,
  listen,
  recvOrAgain,
  sendmsgOrAgain,
  sendOrAgain,
  socket,
  socketError,
} from "../../poll/socket.ts";
import { encodeSockaddr } from "../../poll/sockaddr.ts";
import { AF_INET, SOCK_STREAM } from "../../poll/socket_constants.ts";
import type { SocketAddress } from "../../net/types.ts";
import { test } from "./_helpers.ts";

const F_GETFD = 1;
const F_GETFL = 3;
const O_NONBLOCK = Deno.build.os === "linux" ? 0o4000 : 4;

function flags(fd: number): { cloexec: boolean; nonblock: boolean } {
  return {
    cloexec: (fcntl(fd, F_GETFD, 0) & 1) === 1,
    nonblock: (fcntl(fd, F_GETFL, 0) & O_NONBLOCK) !== 0,
  };
}

test("socket() and acceptOrAgain() give non-blocking close-on-exec fds", () => {
  const l = socket(AF_INET, SOCK_STREAM);
  const c = socket(AF_INET, SOCK_STREAM);
  try {
    assert.deepEqual(flags(l), { cloexec: true, nonblock: true });
    bind(l, encodeSockaddr(AF_INET, ["127.0.0.1", 0]));
    listen(l, 8);
    const peer: { addr: SocketAddress } = { addr: "" };
    assert.equal(acceptOrAgain(l, peer), -1); // nothing pending: EAGAIN
    const done = connectStart(c, encodeSockaddr(AF_INET, getsockname(l)));
    if (!done) {
      // Loopback connects quickly; poll for it.
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline) {
        const a = acceptOrAgain(l, peer);
        if (a !== -1) {
          assert.deepEqual(flags(a), { cloexec: true, nonblock: true });
          assert.deepEqual(peer.addr, getsockname(c));
          assert.equal(socketError(c), 0);
          // A gathering send arrives whole, in order.
          assert.equal(
            sendmsgOrAgain(c, [new Uint8Array([1, 2]), new Uint8Array([3])]),
            3,
          );
          const buf = new Uint8Array(8);
          let n = -1;
          while (n === -1) n = recvOrAgain(a, buf, 8n);
          assert.deepEqual(buf.subarray(0, n), new Uint8Array([1, 2, 3]));
          assert.equal(sendOrAgain(a, new Uint8Array(0)), 0);
          closeQuietly(a);
          return;
        }
      }
      assert.fail("no connection accepted");
    }
  } finally {
    closeQuietly(l);
    closeQuietly(c);
  }
});
