/**
 * Test scaffolding: a `node:worker_threads` worker (Deno, Node and Bun)
 * that imports the whole package, then reports whether libssl was loaded
 * before and after the first TLS use.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { MemoryBIO } from "../../mod.ts";
import { _libsslLoaded } from "../../tls/_libssl.ts";

const before = _libsslLoaded();
new MemoryBIO().free();
parentPort!.postMessage([before, _libsslLoaded()]);
