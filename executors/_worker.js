// The entry script of a ThreadPoolExecutor thread. Plain JavaScript that
// imports its TypeScript body through a computed specifier on purpose:
// `deno test` type-checks a Worker's static module graph each time a
// Worker starts (0.6-2 s here), not a computed dynamic import. Messages
// wait until the body is loaded (the top-level await finishes first).
const body = "./_worker_main.ts";
await import(body);
