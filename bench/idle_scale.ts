/**
 * idle-scale (WORKLOADS.md): one ping-pong pair among N idle TCP
 * connections, per selector — the cost of a wait as the number of watched
 * fds grows. The peers of the idle connections live in another process
 * (bench/python/hold.py), so this process spends one fd per connection.
 *
 * `deno run --allow-ffi --allow-run --allow-read --allow-write=bench/results bench/idle_scale.ts [--ns 10,100,1000,10000]`
 *
 * Writes `bench/results/<date>-idle-scale.json` and `-idle-scale.svg`.
 *
 * @module
 */

import type { Selector } from "../mod.ts";
import {
  close,
  EpollSelector,
  EVENT_READ,
  PollSelector,
  read,
  SelectSelector,
  socketPair,
  write,
} from "../poll/mod.ts";
import { libc } from "../poll/_libc.ts";
import { lineChart } from "./_svg.ts";

const PY = "/usr/bin/python3.11";
const AF_INET = 2;
const SOCK_STREAM = 1;

function tcpConnect(port: number): number {
  const { socket, connect } = libc();
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error("socket() failed: out of fds? (ulimit -n)");
  // struct sockaddr_in (Linux): u16 family, u16 port (network order),
  // u32 address, 8 bytes of zero.
  const sa = new Uint8Array(16);
  const dv = new DataView(sa.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  sa.set([127, 0, 0, 1], 4);
  if (connect(fd, sa, 16) !== 0) {
    close(fd);
    throw new Error(`connect() to 127.0.0.1:${port} failed`);
  }
  return fd;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const ONE = new Uint8Array(1);
const BUF = new Uint8Array(16);

/** Microseconds per round trip over `k` round trips. */
function roundTrips(
  sel: Selector<unknown>,
  a: number,
  b: number,
  k: number,
): number {
  const t0 = performance.now();
  for (let i = 0; i < k; i++) {
    write(a, ONE);
    let ready = sel.select(1);
    if (ready.length !== 1 || ready[0][0].fd !== b) {
      throw new Error("expected b ready");
    }
    read(b, BUF);
    write(b, ONE);
    ready = sel.select(1);
    if (ready.length !== 1 || ready[0][0].fd !== a) {
      throw new Error("expected a ready");
    }
    read(a, BUF);
  }
  return (performance.now() - t0) * 1000 / k;
}

/**
 * Median µs per round trip for each selector that can watch N + 2 fds, plus
 * `max_fd`. Every fd this process does not need is closed first (the
 * holder's stdout once its port is read), so that select() still qualifies
 * at N = 1000 (highest fd < FD_SETSIZE = 1024).
 */
async function measure(n: number): Promise<Record<string, number>> {
  const holder = new Deno.Command(PY, {
    args: ["bench/python/hold.py"],
    stdin: "null",
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot start idle-scale: hold.py gave no port");
    line += new TextDecoder().decode(value);
  }
  const port = Number(line.trim());
  reader.releaseLock();
  await holder.stdout.cancel(); // frees its fd before the N connections
  const fds: number[] = [];
  let a = -1, b = -1;
  const sels: Array<[string, Selector<unknown>]> = [];
  {
    try {
      for (let i = 0; i < n; i++) fds.push(tcpConnect(port));
      [a, b] = socketPair();
      const all = [...fds, a, b];
      const maxFd = Math.max(...all);
      if (maxFd < 1024) sels.push(["select", new SelectSelector()]);
      sels.push(["poll", new PollSelector()], ["epoll", new EpollSelector()]);
      for (const [, sel] of sels) {
        for (const fd of all) sel.register(fd, EVENT_READ);
      }
      const k = n >= 10000 ? 20 : n >= 1000 ? 100 : 2000;
      const samples: Record<string, number[]> = {};
      for (let batch = 0; batch < 5; batch++) {
        for (const [name, sel] of sels) {
          (samples[name] ??= []).push(roundTrips(sel, a, b, k));
        }
      }
      const out: Record<string, number> = { max_fd: maxFd };
      for (const [name, xs] of Object.entries(samples)) out[name] = median(xs);
      return out;
    } finally {
      for (const [, sel] of sels) sel.close();
      for (const fd of fds) close(fd);
      if (a >= 0) close(a);
      if (b >= 0) close(b);
      holder.kill("SIGTERM");
      await holder.status;
    }
  }
}

if (import.meta.main) {
  const ni = Deno.args.indexOf("--ns");
  const ns = ni >= 0
    ? Deno.args[ni + 1].split(",").map(Number)
    : [10, 100, 1000, 10000];
  const rows: Array<{ n: number } & Record<string, number>> = [];
  for (const n of ns) {
    let r: Record<string, number>;
    try {
      r = await measure(n);
    } catch (e) {
      // E.g. too few fds (ulimit -n) for N: say so, keep the other Ns.
      console.error(`idle-scale N=${n} skipped: ${(e as Error).message}`);
      continue;
    }
    console.log(
      JSON.stringify({
        bench: "idle-scale",
        n,
        max_fd: r.max_fd,
        us_per_round_trip: Object.fromEntries(
          Object.entries(r).filter(([k]) => k !== "max_fd"),
        ),
      }),
    );
    rows.push({ n, ...r });
  }
  const date = new Date().toISOString().slice(0, 10);
  Deno.mkdirSync("bench/results", { recursive: true });
  Deno.writeTextFileSync(
    `bench/results/${date}-idle-scale.json`,
    JSON.stringify(rows, null, 1),
  );
  Deno.writeTextFileSync(
    `bench/results/${date}-idle-scale.svg`,
    lineChart({
      title: `idle-scale: one ping-pong among N idle TCP fds, ${date}`,
      xLabel: "watched idle connections N",
      yLabel: "µs per round trip (2 waits)",
      xs: rows.map((r) => r.n),
      series: ["select", "poll", "epoll"].map((name) => ({
        name,
        values: rows.map((r) => r[name] ?? NaN),
      })),
    }),
  );
}
