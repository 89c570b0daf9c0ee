// A bare Worker (not a pool thread) given a LoopPort's remote end: asks
// the loop for mulLater(6, 7) from plain code and posts the answer back.
// Plain JS: its TypeScript imports are computed (no type check per start).
const threadsafe = "../../executors/threadsafe.ts";
const workMod = "./_work.ts";
const { runCoroutineThreadsafe } = await import(threadsafe);
const { mulLaterWork } = await import(workMod);
self.onmessage = async (e) => {
  const r = await runCoroutineThreadsafe(mulLaterWork, e.data, 6, 7);
  self.postMessage(r);
};
