import assert from "node:assert/strict";
import {
  GaiError,
  getaddrinfo,
  getnameinfo,
  numericAddrInfo,
} from "../../poll/getaddrinfo.ts";
import {
  AF_INET,
  AF_INET6,
  AI_NUMERICHOST,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_STREAM,
} from "../../poll/socket_constants.ts";

Deno.test("getaddrinfo() resolves localhost through libc", async () => {
  const infos = await getaddrinfo("localhost", 8080, {
    type: SOCK_STREAM,
    family: AF_INET,
  });
  assert.ok(infos.length >= 1);
  assert.deepEqual(infos[0], [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", [
    "127.0.0.1",
    8080,
  ]]);
});

Deno.test("numericAddrInfo() answers numeric hosts without libc", () => {
  assert.deepEqual(numericAddrInfo("::1", "53", { type: SOCK_DGRAM }), [
    [AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "", ["::1", 53, 0, 0]],
  ]);
  assert.equal(numericAddrInfo("localhost", 80, { type: SOCK_STREAM }), null);
  assert.equal(
    numericAddrInfo("127.0.0.1", "http", { type: SOCK_STREAM }),
    null,
  );
  assert.equal(
    numericAddrInfo("127.0.0.1", 80, { type: SOCK_STREAM, family: AF_INET6 }),
    null,
  );
});

Deno.test("getaddrinfo() fails with GaiError for a name that must be numeric", async () => {
  await assert.rejects(
    getaddrinfo("not-numeric", 80, {
      type: SOCK_STREAM,
      flags: AI_NUMERICHOST,
    }),
    (e: unknown) =>
      e instanceof GaiError && /not-numeric/.test(e.message) && e.errno < 0,
  );
});

Deno.test("getaddrinfo() rejects a host with a NUL before calling libc", () => {
  assert.throws(() => getaddrinfo("a\0b", 80, { type: 0 }), TypeError);
});

Deno.test("getnameinfo() answers numeric requests in JS and others through libc", async () => {
  assert.deepEqual(
    await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV),
    ["127.0.0.1", "80"],
  );
  const [host] = await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST);
  assert.equal(host, "127.0.0.1");
  assert.throws(() => getnameinfo("/path"), TypeError);
});
