// Spawn + wait of /bin/true with Node's child_process.
// usage: node spawn.mjs --mode seq-inherit|seq-pipe|conc-inherit|conc-pipe [-n 500]
import { spawn } from "node:child_process";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};
const mode = arg("--mode", "seq-inherit");
const n = Number(arg("-n", "500"));
const pipes = mode.endsWith("pipe");
const workers = mode.startsWith("conc") ? 20 : 1;

function one() {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/true", [], {
      stdio: pipes ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    if (pipes) {
      child.stdout.resume();
      child.stderr.resume();
    }
    child.on("error", reject);
    child.on("close", (code) => code === 0 ? resolve() : reject(code));
  });
}

// CPU at the half-way spawn too: the second half has no first-use costs.
const half = Math.floor(n / 2);
let done = 0;
let cpuHalf = NaN;

async function worker(count) {
  for (let i = 0; i < count; i++) {
    await one();
    if (++done === half) cpuHalf = cpuNs();
  }
}

// CPU time of this process's threads so far, in ns, children excluded
// (getrusage(RUSAGE_SELF)).
function cpuNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

const c0 = cpuNs();
const t0 = performance.now();
await Promise.all(Array.from({ length: workers }, () => worker(n / workers)));
const seconds = (performance.now() - t0) / 1000;
const c1 = cpuNs();
const cpu = c1 - c0;
console.log(JSON.stringify({
  bench: "subprocess",
  impl: "node",
  mode,
  n,
  seconds,
  per_sec: n / seconds,
  cpu_us_per_spawn: cpu / 1000 / n,
  cpu_us_per_spawn_2nd_half: (c1 - cpuHalf) / 1000 / (n - half),
}));
