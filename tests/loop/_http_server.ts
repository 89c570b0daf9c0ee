/**
 * Test scaffolding: a local HTTP server on node:http (the same on Deno,
 * Node and Bun; `Deno.serve` is Deno's only), for tests of host fetches
 * made while our loop runs.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A running server: its URL, and `close()` that waits until it stopped. */
export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serve `body()`'s text to every request on 127.0.0.1, a free port. */
export async function localServer(
  body: () => string | Promise<string>,
): Promise<LocalServer> {
  const server = createServer((_req, res) => {
    Promise.resolve(body()).then((text) => res.end(text));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => err ? reject(err) : resolve());
        // Idle keep-alive connections would hold close() open.
        server.closeAllConnections();
      }),
  };
}
