/**
 * The `ssl` option of net/'s connection and server functions, on `tls/`:
 * checks the options as asyncio does (`planSsl`) and puts an
 * `SSLProtocol` between the socket transport and the user's protocol
 * (`wrapForSsl`). libssl itself is loaded only when a connection uses TLS.
 *
 * @module
 */

import { planSsl, type SslPlan, wrapForSsl } from "../tls/_net_ssl.ts";

export type { SslPlan };
export { planSsl, wrapForSsl };
