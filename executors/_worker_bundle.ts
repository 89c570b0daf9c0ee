/**
 * The entry script of a pool thread in a bundle (built as `_worker.js`
 * next to the bundle, see `_host.ts`): the body imported statically,
 * since a bundle has no TypeScript file to load.
 *
 * @module
 */

import { start } from "./_worker_main.ts";

start();
