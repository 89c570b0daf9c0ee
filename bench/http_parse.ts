/**
 * Per-request cost of the HTTP hello server's JavaScript, without sockets:
 * parse + answer (`parseHead` then `hello`) of wrk's request, with the byte
 * parser of examples/_http.ts and the string parser it replaced
 * (tests/examples/_http_old.ts), and `HttpHello.dataReceived` with one whole
 * request per read on a transport that only counts what it is given.
 * Rounds alternate between the variants; prints the median [min-max] ns per
 * request of each, then one JSON line.
 *
 * `npx deno run bench/http_parse.ts [--rounds 7] [-n 1000000]`
 *
 * @module
 */

import { hello, parseHead } from "../examples/_http.ts";
import { HttpHello } from "../examples/http_hello_protocol.ts";
import type { Transport } from "../mod.ts";
import { parseHeadOld } from "../tests/examples/_http_old.ts";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}
const ROUNDS = arg("--rounds", 7);
const N = arg("-n", 1_000_000);

const REQUEST = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
);
let sink = 0; // what the loops produce, so that none is optimised away

const server = new HttpHello();
server.connectionMade({
  write(data: Uint8Array) {
    sink += data.length;
  },
  writelines(list: Uint8Array[]) {
    sink += list.length;
  },
  close() {
    throw new Error("wrk's request keeps the connection open");
  },
} as unknown as Transport);

const variants: Record<string, () => void> = {
  "parse+hello old": () => {
    for (let i = 0; i < N; i++) sink += hello(parseHeadOld(REQUEST)).length;
  },
  "parse+hello new": () => {
    for (let i = 0; i < N; i++) sink += hello(parseHead(REQUEST)).length;
  },
  "dataReceived": () => {
    for (let i = 0; i < N; i++) server.dataReceived(REQUEST);
  },
};

const times: Record<string, number[]> = {};
for (const name of Object.keys(variants)) times[name] = [];
variants["parse+hello old"](); // warm-up: every variant optimised first
variants["parse+hello new"]();
variants["dataReceived"]();
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = performance.now();
    run();
    times[name].push((performance.now() - t0) * 1e6 / N);
  }
}

const result: Record<string, number> = {};
for (const [name, ns] of Object.entries(times)) {
  ns.sort((a, b) => a - b);
  const median = ns[ns.length >> 1];
  result[name] = Math.round(median * 10) / 10;
  console.log(
    `${name.padEnd(16)} ${median.toFixed(1)} ns/request [${ns[0].toFixed(1)}-${
      ns[ns.length - 1].toFixed(1)
    }]`,
  );
}
console.log(
  JSON.stringify({ bench: "http_parse", n: N, rounds: ROUNDS, ...result }),
);
if (sink === 0) console.log(sink);
