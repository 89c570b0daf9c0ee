/**
 * The SSL protocol for a context: `SSLProtocol` over libssl, or the
 * `node:tls` fallback when the context has no native side.
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { LoopLike } from "../futures/_loop.ts";
import type { BaseProtocol, Protocol, Transport } from "../net/types.ts";
import type { SSLContext } from "./context.ts";
import { NodeTlsProtocol } from "./_node_tls_protocol.ts";
import { SSLProtocol, type SSLProtocolOptions } from "./ssl_protocol.ts";

/** What both SSL protocols give their callers. @internal */
export interface AnySslProtocol extends Protocol {
  readonly appTransport: Transport;
  connectionMade(transport: Transport): void;
  connectionLost(exc: Error | null): void;
}

/** A new SSL protocol of the kind `context` runs on. @internal */
export function sslProtocolFor(
  loop: LoopLike,
  app: BaseProtocol,
  context: SSLContext,
  waiter: Future<unknown> | null,
  options: SSLProtocolOptions,
): AnySslProtocol {
  return context.usesNodeTls
    ? new NodeTlsProtocol(loop, app, context, waiter, options)
    : new SSLProtocol(loop, app, context, waiter, options);
}
