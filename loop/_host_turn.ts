/**
 * `hostTurn()`: give Deno's own event loop one turn from the event loop's
 * thread, cheaply, while our loop has work of its own.
 *
 * Why a pooled sleep: Deno's timers (and its I/O and signal listeners) are
 * driven by tokio, which fires them when the JS thread's runtime parks, or
 * only every few dozen scheduler ticks when it never parks. A pooled call
 * that returns at once (a zero-timeout `epoll_wait`) often completes before
 * the thread has parked, and a due host timer then waited 100-500 ms here.
 * A pooled sleep of 20 µs (plus the kernel's timer slack) makes the thread
 * park every time. A turn costs 0.11 ms in an idle process and 0.2-0.5 ms
 * (median) inside a busy benchmark here, against ~2 ms for `setTimeout(0)`
 * (nested timers are clamped). Every 10 ms that is 2-3% of a program that
 * keeps the loop busy. Under CPU contention a turn waits twice for a CPU
 * (the pool thread to sleep, then the JS thread to come back): 2-25 ms for
 * one turn in ten with the 2 cores shared by several processes.
 *
 * Why not a sleep started a turn ahead, already over when the turn comes:
 * such a turn took 0.03-0.05 ms and host timers fired in it, but the JS
 * thread came back before Deno had polled its I/O, so host I/O advanced a
 * step per turn: a `Deno.serve` answering another thread's `fetch` during
 * a generator workload took 200-640 ms a request, against 2-13 ms with a
 * fresh sleep (tested here; the waiting thread must park on a sleep that is
 * not over yet).
 *
 * Node and Bun need no sleep: `setImmediate` runs their timers and polls
 * their I/O (libuv's poll phase, Bun's loop tick) without the JS thread
 * ever parking. A sleeping turn there only gave the CPU away: on the
 * loaded 2-core machine (load 7), one turn per 10 ms of busy JS, a
 * `usleep(20)` turn cost 1.6-1.9 ms in the mean on Bun (on the JS thread;
 * 5 ms p90) and 2.7-3.7 ms on Node (koffi's pool; 7-11 ms p90), against
 * 0.04 ms and 0.4-0.7 ms for `setImmediate`. Inside the queue workload
 * (load 13), time in turns fell from 98-206 ms of 1.15-1.38 s to 4-11 ms of
 * 0.74-1.08 s on Bun, and from 30-87 ms to 5-35 ms on Node.
 *
 * @module
 */

import { libc } from "../poll/_libc.ts";
import { hostImmediate, runtime } from "../poll/_runtime.ts";

/** How long the pool thread sleeps for one turn, in microseconds. */
const TURN_US = 20;

let warm = false;

/**
 * Start Deno's pool thread early, so the first turn does not pay for its
 * creation (0.5-5 ms here). @internal
 */
export function warmHostTurn(): void {
  if (warm || runtime !== "deno") return;
  warm = true;
  libc().usleep_async(0);
}

/** Give the host one turn; resolves when the JS thread has come back. @internal */
export function hostTurn(): Promise<unknown> {
  return hostImmediate() ?? libc().usleep_async(TURN_US);
}
