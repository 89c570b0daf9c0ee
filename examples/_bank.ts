/**
 * The bank of the seed's chapter, shared by the four bank programs: the
 * same workload for each. Ten customers come to the counter at once; each
 * hands over a request (bytes on a socket) and the teller must wait 50 ms
 * for the back office before answering. How long until all are served?
 *
 * @module
 */

import { close, read, socketPair, write } from "../poll/fd.ts";

/** How many customers queue at once. */
export const CUSTOMERS = 10;
/** Seconds the back office takes per request. */
export const BACK_OFFICE = 0.05;

/** One customer at the counter: the teller's end and the customer's end. */
export interface Counter {
  /** The teller reads requests from and writes answers to this fd. */
  teller: number;
  /** The customer's end. */
  customer: number;
}

/** Each customer arrives with a request already written. */
export function openCounters(options?: { nonblocking?: boolean }): Counter[] {
  const out: Counter[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const [teller, customer] = socketPair(options);
    write(customer, new TextEncoder().encode(`deposit #${i}`));
    out.push({ teller, customer });
  }
  return out;
}

/** Every customer got an answer: read them and close the counters. */
export function closeCounters(counters: Counter[]): string[] {
  const answers: string[] = [];
  const buf = new Uint8Array(64);
  for (const c of counters) {
    const n = read(c.customer, buf);
    answers.push(new TextDecoder().decode(buf.subarray(0, n)));
    close(c.teller);
    close(c.customer);
  }
  return answers;
}

/** The teller's answer to `request`. */
export function answer(request: Uint8Array): Uint8Array {
  return new TextEncoder().encode(
    `done: ${new TextDecoder().decode(request)}`,
  );
}

/** Print how long serving everyone took. */
export function report(way: string, seconds: number, answers: string[]): void {
  console.log(
    `${way}: ${answers.length} customers served in ${
      (seconds * 1000).toFixed(0)
    } ms (the back office takes ${BACK_OFFICE * 1000} ms each)`,
  );
}
