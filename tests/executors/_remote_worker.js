// A bare Worker (not a pool thread) given a LoopPort's remote end: asks
// the loop for mulLater(6, 7) from plain code and posts the answer back.
// Plain JS: its imports are computed (no type check per start); Node and
// Bun run a tree of .js files, where the .ts ones do not exist. The
// handler is set before any await: Bun drops a message that arrives while
// a module Worker's top-level await is pending.
const load = (path) => import(`${path}.ts`).catch(() => import(`${path}.js`));
const loaded = Promise.all([
  load("../../executors/threadsafe"),
  load("./_work"),
]);
self.onmessage = async (e) => {
  const [{ runCoroutineThreadsafe }, { mulLaterWork }] = await loaded;
  const r = await runCoroutineThreadsafe(mulLaterWork, e.data, 6, 7);
  self.postMessage(r);
};
