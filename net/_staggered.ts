/**
 * Happy Eyeballs (RFC 8305) as asyncio's `staggered_race`: start the first
 * attempt; start the next one after `delay` seconds or as soon as the
 * previous one failed; the first success wins and every other attempt is
 * cancelled (a late winner's socket is closed).
 *
 * @module
 */

import type { Future } from "../futures/future.ts";
import type { HandleLike } from "../futures/_loop.ts";
import type { NetLoop } from "./_loop.ts";
import type { Socket } from "./socket.ts";

/**
 * Race `attempts` staggered by `delay` seconds: the winning socket, or the
 * errors of all (in order) through `errors` and a rejection.
 * @internal
 */
export function staggeredRace(
  loop: NetLoop,
  attempts: Array<() => Future<Socket>>,
  delay: number,
  errors: unknown[],
): Future<Socket> {
  const winner = loop.createFuture<Socket>();
  const running = new Set<Future<Socket>>();
  let next = 0;
  let timer: HandleLike | null = null;

  const finishIfAllFailed = (): void => {
    if (!winner.done() && running.size === 0 && next >= attempts.length) {
      winner.setException(
        errors.length > 0
          ? errors[errors.length - 1]
          : new Error("Cannot connect: no address to try"),
      );
    }
  };
  const startNext = (): void => {
    timer?.cancel();
    timer = null;
    if (winner.done() || next >= attempts.length) {
      finishIfAllFailed();
      return;
    }
    const f = attempts[next++]();
    running.add(f);
    f.addDoneCallback(onDone);
    if (next < attempts.length) timer = loop.callLater(delay, startNext);
  };
  const onDone = (f: Future<Socket>): void => {
    running.delete(f);
    if (f.cancelled()) {
      finishIfAllFailed();
      return;
    }
    const exc = f.exception();
    if (exc === null || exc === undefined) {
      const sock = f.result();
      if (winner.done()) {
        sock.close();
        return;
      }
      timer?.cancel();
      timer = null;
      for (const other of running) other.cancel();
      winner.setResult(sock);
      return;
    }
    errors.push(exc);
    if (!winner.done()) startNext();
  };
  winner.addDoneCallback(() => {
    if (!winner.cancelled()) return;
    timer?.cancel();
    for (const f of running) f.cancel();
  });
  startNext();
  return winner;
}
