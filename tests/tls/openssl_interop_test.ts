/**
 * Interop with a TLS peer no one here wrote: `openssl s_server` and
 * `openssl s_client` (needs --allow-run=openssl), over loopback TCP,
 * started by the host's own API (hostCommand).
 */

import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { type HostChild, hostCommand } from "../subprocess/_helpers.ts";
import { fromPromise } from "../../futures/promise.ts";
import { sleep } from "../../futures/sleep.ts";
import { getRunningLoop } from "../../loop/policy.ts";
import { run } from "../../loop/run.ts";
import { TLSVersion } from "../../tls/context.ts";
import { createConnection } from "../../net/connection.ts";
import { createServer } from "../../net/create_server.ts";
import {
  clientContext,
  dec,
  enc,
  fixture,
  Recorder,
  serverContext,
  tlsTest,
} from "./_helpers.ts";

/** Read `stream` until `marker` shows up; returns the text so far. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  marker: string,
  sofar = { text: "" },
): Promise<string> {
  const d = new TextDecoder();
  while (!sofar.text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`openssl ended before "${marker}": ${sofar.text}`);
    }
    sofar.text += d.decode(value);
  }
  return sofar.text;
}

// Deno opens runtime fds on the first spawn of the process, and libffi keeps
// the executable open once the first UnsafeCallback (our ALPN callback) is
// made: do both once before the fd census counts.
await hostCommand("openssl", ["version"]).status;
{
  using warm = clientContext();
  warm.setAlpnProtocols(["h2"]);
}

async function freePort(): Promise<number> {
  const l = createNetServer();
  await new Promise<void>((resolve) => l.listen(0, "127.0.0.1", resolve));
  const { port } = l.address() as AddressInfo;
  await new Promise((resolve) => l.close(resolve));
  return port;
}

async function sServer(extra: string[]) {
  const port = await freePort();
  const child = hostCommand("openssl", [
    "s_server",
    "-accept",
    `127.0.0.1:${port}`,
    "-cert",
    fixture("server.pem"),
    "-key",
    fixture("server.key"),
    "-naccept",
    "1",
    "-rev",
    ...extra,
  ]);
  const reader = child.stdout.getReader();
  await readUntil(reader, "ACCEPT");
  return { port, child, reader };
}

async function finish(
  child: HostChild,
  reader: ReadableStreamDefaultReader<Uint8Array>,
) {
  const rest = { text: "" };
  await readUntil(reader, "\u0000", rest).catch(() => {});
  reader.releaseLock();
  const err = await new Response(child.stderr).text();
  const status = await child.status;
  return { out: rest.text, err, status };
}

for (
  const [label, max, extra] of [
    ["TLS 1.3", TLSVersion.MAXIMUM_SUPPORTED, ["-alpn", "h2"]],
    ["TLS 1.2", TLSVersion.TLSv1_2, ["-tls1_2"]],
  ] as const
) {
  tlsTest(
    `SSLProtocol (client) talks to openssl s_server over ${label}`,
    async () => {
      const { port, child, reader } = await sServer([...extra]);
      using cctx = clientContext();
      cctx.maximumVersion = max;
      cctx.setAlpnProtocols(["http/1.1", "h2"]);
      await run(async () => {
        const loop = getRunningLoop();
        const [t, app] = await createConnection(
          loop,
          () => new Recorder(loop),
          "127.0.0.1",
          port,
          { ssl: cctx, serverHostname: "localhost" },
        );
        assert.equal(t.getExtraInfo("version"), label.replace(" ", "v"));
        if (label === "TLS 1.3") {
          assert.equal(t.getExtraInfo("alpnProtocol"), "h2");
        }
        t.write(enc("hello openssl\n"));
        await app.received(14);
        assert.equal(dec(app.data()), "lssnepo olleh\n");
        t.close();
        assert.equal(await app.lost, null);
        await sleep(0);
      });
      const { status, err } = await finish(child, reader);
      assert.equal(status.success, true, err);
    },
    { census: true },
  );
}

tlsTest(
  "SSLProtocol (server) serves openssl s_client, which verifies it",
  () =>
    run(async () => {
      const loop = getRunningLoop();
      using sctx = serverContext();
      sctx.setAlpnProtocols(["h2", "http/1.1"]);
      const names: (string | null)[] = [];
      sctx.sniCallback = (_o, name) => void names.push(name);
      const served: Recorder[] = [];
      const server = await createServer(
        loop,
        () => {
          const r = new Recorder(loop);
          r.echo = true;
          served.push(r);
          return r;
        },
        "127.0.0.1",
        0,
        { ssl: sctx },
      );
      const port = (server.sockets[0].getsockname() as [string, number])[1];
      const child = hostCommand("openssl", [
        "s_client",
        "-connect",
        `127.0.0.1:${port}`,
        "-CAfile",
        fixture("ca.pem"),
        "-servername",
        "localhost",
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
        "-alpn",
        "h2",
        "-quiet",
        "-no_ign_eof",
      ], true);
      const reader = child.stdout.getReader();
      const stdin = child.stdin!.getWriter();
      while (served.length === 0 || served[0].transport === null) {
        await sleep(0.005);
      }
      const app = served[0];
      assert.deepEqual(names, ["localhost"]);
      assert.equal(app.transport!.getExtraInfo("alpnProtocol"), "h2");
      await fromPromise(stdin.write(enc("ping from s_client\n")));
      await app.received(19);
      await fromPromise(readUntil(reader, "ping from s_client\n"));
      await fromPromise(stdin.close()); // s_client sends close_notify and exits
      assert.equal(await app.lost, null);
      assert.equal(app.eof, true);
      server.close();
      await server.waitClosed();
      const { status, err } = await fromPromise(finish(child, reader));
      assert.equal(status.success, true, err);
      await sleep(0);
    }),
  { census: true },
);
