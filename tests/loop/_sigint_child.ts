// Child program for run_sigint_test.ts: runs a main task that sleeps, and
// reports how SIGINT ended it. Argument: "generator" or "async".
import { KeyboardInterrupt, run, sleep } from "../../mod.ts";

const out = (s: string) => console.log(s);
const form = Deno.args[0];
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
