// The entry script of a ThreadPoolExecutor thread. Plain JavaScript that
// imports its TypeScript body through a computed specifier on purpose:
// `deno test` type-checks a Worker's static module graph each time a
// Worker starts (0.6-2 s here), not a computed dynamic import. Messages
// that arrive while the body loads are kept and handed to it, in order.
const early = [];
self.onmessage = (e) => early.push(e.data);
const body = "./_worker_main.ts";
const { start } = await import(body);
start(early);
