/**
 * `DefaultSelector`: the best selector this platform has — epoll on Linux,
 * kqueue on macOS and FreeBSD, poll on other Unixes — overridable with the
 * environment variable `ASYNCIO_SELECTOR=select|poll|epoll|kqueue` (read
 * only when `--allow-env=ASYNCIO_SELECTOR` is granted).
 *
 * @module
 */

import { os } from "./_libc.ts";
import { envGet } from "./_runtime.ts";
import { EpollSelector } from "./epoll.ts";
import { KqueueSelector } from "./kqueue.ts";
import { PollSelector } from "./poll.ts";
import { SelectSelector } from "./select.ts";
import { UnsupportedSelector } from "./_unsupported.ts";
import type { Selector } from "./types.ts";

/**
 * The selector names `ASYNCIO_SELECTOR` accepts.
 *
 * @example Naming the selectors
 * ```ts
 * import { EpollSelector, type SelectorName } from "./mod.ts";
 * const byName: Record<SelectorName, string> = {
 *   select: "fd_set bitmaps, fds below 1024",
 *   poll: "an array of pollfd",
 *   epoll: "Linux",
 *   kqueue: "macOS and FreeBSD",
 * };
 * console.log(byName.epoll, EpollSelector.name);
 * ```
 */
export type SelectorName = "select" | "poll" | "epoll" | "kqueue";

const CLASSES = {
  select: SelectSelector,
  poll: PollSelector,
  epoll: EpollSelector,
  kqueue: KqueueSelector,
} as const;

/**
 * What {@linkcode defaultSelectorName} reports: the selector `DefaultSelector`
 * makes here, or `"unsupported"` on a platform without one, and why.
 *
 * @example Printing the choice
 * ```ts
 * import { type DefaultSelectorChoice, defaultSelectorName } from "./mod.ts";
 * const choice: DefaultSelectorChoice = defaultSelectorName();
 * console.log(`${choice.name}: ${choice.reason}`);
 * ```
 */
export interface DefaultSelectorChoice {
  /** The selector's name. */
  readonly name: SelectorName | "unsupported";
  /** Why it was chosen, in one sentence for people. */
  readonly reason: string;
}

function fromEnv(): string | undefined {
  return envGet("ASYNCIO_SELECTOR");
}

/**
 * Which selector `DefaultSelector` uses here, and why: `ASYNCIO_SELECTOR`
 * if set (and readable), else the platform's best.
 *
 * @returns The name and a reason for people.
 * @throws {RangeError} if `ASYNCIO_SELECTOR` names no selector.
 *
 * @example Printing the choice
 * ```ts
 * import { defaultSelectorName } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const { name, reason } = defaultSelectorName();
 * if (Deno.build.os === "linux") assert.ok(name === "epoll" || reason.includes("ASYNCIO_SELECTOR"));
 * console.log(`${name}: ${reason}`);
 * ```
 */
export function defaultSelectorName(): DefaultSelectorChoice {
  const env = fromEnv();
  if (env !== undefined) {
    if (!Object.hasOwn(CLASSES, env)) {
      throw new RangeError(
        `Cannot pick a selector: ASYNCIO_SELECTOR=${env} is not one of select, poll, epoll, kqueue`,
      );
    }
    return {
      name: env as SelectorName,
      reason: `ASYNCIO_SELECTOR=${env} asks for it`,
    };
  }
  switch (os) {
    case "linux":
    case "android":
      return {
        name: "epoll",
        reason:
          "Linux has epoll: O(1) registration and O(ready) waits, no fd limit",
      };
    case "darwin":
    case "freebsd":
      return {
        name: "kqueue",
        reason: `${os} has kqueue: O(ready) waits, no fd limit`,
      };
    case "netbsd":
      return {
        name: "poll",
        reason: "poll has no FD_SETSIZE limit, unlike select (NetBSD's " +
          "kqueue layout is not supported)",
      };
    default:
      return {
        name: "unsupported",
        reason: `${os} has no libc this module can call through FFI`,
      };
  }
}

/**
 * The best selector for this platform (see the module doc). `new
 * DefaultSelector()` returns an instance of that class (an `EpollSelector`
 * on Linux), so `instanceof DefaultSelector` is false: test for the
 * concrete class, or use it through the `Selector` interface.
 *
 * @throws {RangeError} if `ASYNCIO_SELECTOR` names no selector.
 *
 * @example The best selector here
 * ```ts
 * import { close, DefaultSelector, EVENT_READ, pipe } from "./mod.ts";
 * import assert from "node:assert/strict";
 * using sel = new DefaultSelector<string>();
 * const [r, w] = pipe();
 * assert.equal(sel.register(r, EVENT_READ, "r").data, "r");
 * sel.unregister(r);
 * close(r);
 * close(w);
 * ```
 */
export const DefaultSelector: new <T = unknown>() => Selector<T> = function <
  T,
>(): Selector<T> {
  const { name } = defaultSelectorName();
  return name === "unsupported"
    ? new UnsupportedSelector<T>()
    : new CLASSES[name]<T>();
} as unknown as new <T = unknown>() => Selector<T>;
