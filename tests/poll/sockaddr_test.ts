import assert from "node:assert/strict";
import {
  decodeSockaddr,
  encodeSockaddr,
  inetNtop,
  inetPton,
  SUN_PATH_MAX,
} from "../../poll/sockaddr.ts";
import { AF_INET, AF_INET6, AF_UNIX } from "../../poll/socket_constants.ts";

const LINUX = Deno.build.os === "linux";

Deno.test("inetPton() parses IPv4 and refuses what inet_pton refuses", () => {
  assert.deepEqual(
    inetPton(AF_INET, "10.0.255.1"),
    new Uint8Array([10, 0, 255, 1]),
  );
  for (
    const bad of [
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "01.2.3.4",
      "a.b.c.d",
      "",
      " 1.2.3.4",
    ]
  ) {
    assert.equal(inetPton(AF_INET, bad), null, bad);
  }
});

Deno.test("inetPton() parses IPv6 forms: ::, compressed, full, embedded IPv4", () => {
  const hex = (b: Uint8Array | null) =>
    b === null
      ? null
      : [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  assert.equal(hex(inetPton(AF_INET6, "::")), "0".repeat(32));
  assert.equal(hex(inetPton(AF_INET6, "::1")), "0".repeat(31) + "1");
  assert.equal(
    hex(inetPton(AF_INET6, "fe80::1:2")),
    "fe80" + "0".repeat(20) + "00010002",
  );
  assert.equal(
    hex(inetPton(AF_INET6, "1:2:3:4:5:6:7:8")),
    "00010002000300040005000600070008",
  );
  assert.equal(
    hex(inetPton(AF_INET6, "::ffff:1.2.3.4")),
    "0".repeat(20) + "ffff01020304",
  );
  for (
    const bad of [
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "g::1",
      "1:2:3:4:5:6:7",
      "::1.2.3",
    ]
  ) {
    assert.equal(inetPton(AF_INET6, bad), null, bad);
  }
});

Deno.test("inetNtop() prints RFC 5952 text", () => {
  const round = (s: string) => inetNtop(AF_INET6, inetPton(AF_INET6, s)!);
  assert.equal(round("0:0:0:0:0:0:0:1"), "::1");
  assert.equal(round("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  assert.equal(round("2001:DB8::"), "2001:db8::");
  assert.equal(round("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7"); // one zero is not compressed
  assert.equal(round("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
});

Deno.test("encodeSockaddr() lays out sockaddr_in and decodes back", () => {
  const sa = encodeSockaddr(AF_INET, ["127.0.0.1", 0x1234]);
  assert.equal(sa.length, 16);
  if (LINUX) {
    assert.deepEqual([...sa.subarray(0, 8)], [2, 0, 0x12, 0x34, 127, 0, 0, 1]);
  }
  assert.deepEqual(decodeSockaddr(sa, 16), ["127.0.0.1", 0x1234]);
});

Deno.test("encodeSockaddr() keeps IPv6 flowinfo and scope id", () => {
  const sa = encodeSockaddr(AF_INET6, ["fe80::1", 80, 0x12345, 3]);
  assert.equal(sa.length, 28);
  assert.deepEqual(decodeSockaddr(sa, 28), ["fe80::1", 80, 0x12345, 3]);
  assert.deepEqual(decodeSockaddr(encodeSockaddr(AF_INET6, ["::1", 1]), 28), [
    "::1",
    1,
    0,
    0,
  ]);
});

Deno.test("encodeSockaddr() encodes Unix paths and abstract names", () => {
  const sa = encodeSockaddr(AF_UNIX, "/tmp/x");
  assert.equal(sa.length, 2 + 6 + 1);
  assert.equal(decodeSockaddr(sa, sa.length), "/tmp/x");
  if (LINUX) {
    const ab = encodeSockaddr(AF_UNIX, "\0name");
    assert.equal(ab.length, 2 + 5);
    assert.equal(decodeSockaddr(ab, ab.length), "\0name");
  }
  assert.equal(decodeSockaddr(new Uint8Array(2), 0), "");
});

Deno.test("encodeSockaddr() rejects bad input with clear errors", () => {
  assert.throws(
    () => encodeSockaddr(AF_INET, ["127.0.0.1", 65536]),
    RangeError,
  );
  assert.throws(() => encodeSockaddr(AF_INET, ["127.0.0.1", -1]), RangeError);
  assert.throws(() => encodeSockaddr(AF_INET, ["127.0.0.1", 1.5]), TypeError);
  assert.throws(
    () => encodeSockaddr(AF_INET, ["localhost", 80]),
    /resolve names with getaddrinfo/,
  );
  assert.throws(() => encodeSockaddr(AF_INET6, ["127.0.0.1", 80]), TypeError);
  assert.throws(() => encodeSockaddr(AF_INET, "/path"), TypeError);
  assert.throws(() => encodeSockaddr(AF_UNIX, ["a", 1]), TypeError);
  assert.throws(
    () => encodeSockaddr(AF_UNIX, "/" + "x".repeat(SUN_PATH_MAX)),
    /sun_path holds at most/,
  );
  assert.throws(() => encodeSockaddr(77, ["1.2.3.4", 1]), RangeError);
  assert.throws(() => encodeSockaddr(AF_INET6, ["::1", 1, -1, 0]), RangeError);
});
