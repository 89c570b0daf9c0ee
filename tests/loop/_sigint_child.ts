// Child program for run_sigint_test.ts: runs a main task that sleeps, and
// reports how SIGINT ended it. Argument: "generator" or "async".
import process from "node:process";
import { KeyboardInterrupt, run, sleep } from "../../mod.ts";

const out = (s: string) => console.log(s);
// node:process: the child runs on Deno, Node or Bun, as its test does.
const form = process.argv[2];
try {
  const main: () => unknown = form === "generator"
    ? function* () {
      try {
        out("ready");
        yield* sleep(30);
      } finally {
        out("finally");
      }
    }
    : form === "swallow"
    ? async () => {
      try {
        out("ready");
        await sleep(30);
      } catch {
        return "swallowed";
      }
    }
    : async () => {
      try {
        out("ready");
        await sleep(30);
      } finally {
        out("finally");
      }
    };
  const result = await run(main as () => Promise<unknown>);
  out(`returned ${result}`);
} catch (err) {
  out(err instanceof KeyboardInterrupt ? "KeyboardInterrupt" : `error ${err}`);
}
