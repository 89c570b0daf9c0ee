/**
 * The entry script of a pool thread in a bundle (the npm build emits it
 * as `asyncio_worker.mjs` next to the bundle, see `_host.ts`): the body
 * imported statically, since a bundle has no TypeScript file to load.
 *
 * @module
 */

import { start } from "./_worker_main.ts";

start();
