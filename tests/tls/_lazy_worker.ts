/**
 * Test scaffolding: a Worker that imports the whole package, then reports
 * whether libssl was loaded before and after the first TLS use.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { MemoryBIO } from "../../mod.ts";
import { _libsslLoaded } from "../../tls/_libssl.ts";

const before = _libsslLoaded();
new MemoryBIO().free();
self.postMessage([before, _libsslLoaded()]);
