/**
 * `DefaultSelector`: the best selector this platform has — epoll on Linux,
 * kqueue on macOS and the BSDs, poll elsewhere — overridable with the
 * environment variable `ASYNCIO_SELECTOR=select|poll|epoll|kqueue` (read
 * only when `--allow-env=ASYNCIO_SELECTOR` is granted).
 *
 * @module
 */

import { os } from "./_libc.ts";
import { EpollSelector } from "./epoll.ts";
import { KqueueSelector } from "./kqueue.ts";
import { PollSelector } from "./poll.ts";
import { SelectSelector } from "./select.ts";
import type { Selector } from "./types.ts";

/**
 * The selector names `ASYNCIO_SELECTOR` accepts.
 *
 * @example
 * ```ts
 * import { defaultSelectorName, type SelectorName } from "../mod.ts";
 * const name: SelectorName = defaultSelectorName().name;
 * console.log(name);
 * ```
 */
export type SelectorName = "select" | "poll" | "epoll" | "kqueue";

const CLASSES = {
  select: SelectSelector,
  poll: PollSelector,
  epoll: EpollSelector,
  kqueue: KqueueSelector,
} as const;

function fromEnv(): string | undefined {
  try {
    const state = Deno.permissions.querySync({
      name: "env",
      variable: "ASYNCIO_SELECTOR",
    });
    if (state.state !== "granted") return undefined;
    return Deno.env.get("ASYNCIO_SELECTOR") || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which selector `DefaultSelector` uses here, and why.
 *
 * @throws {RangeError} if `ASYNCIO_SELECTOR` names no selector.
 *
 * @example
 * ```ts
 * import { defaultSelectorName } from "../mod.ts";
 * const { name, reason } = defaultSelectorName();
 * console.log(name, reason);
 * ```
 */
export function defaultSelectorName(): { name: SelectorName; reason: string } {
  const env = fromEnv();
  if (env !== undefined) {
    if (!(env in CLASSES)) {
      throw new RangeError(
        `Cannot pick a selector: ASYNCIO_SELECTOR=${env} is not one of select, poll, epoll, kqueue`,
      );
    }
    return {
      name: env as SelectorName,
      reason: "ASYNCIO_SELECTOR asks for it",
    };
  }
  if (os === "linux" || os === "android") {
    return {
      name: "epoll",
      reason:
        "Linux has epoll: O(1) registration and O(ready) waits, no fd limit",
    };
  }
  if (os === "darwin" || os === "freebsd" || os === "netbsd") {
    return {
      name: "kqueue",
      reason: `${os} has kqueue: O(ready) waits, no fd limit`,
    };
  }
  return {
    name: "poll",
    reason:
      "no epoll or kqueue here; poll has no FD_SETSIZE limit unlike select",
  };
}

/**
 * The best selector for this platform (see the module doc). `new
 * DefaultSelector()` returns an instance of that class.
 *
 * @example
 * ```ts
 * import { DefaultSelector, EVENT_READ, pipe, close } from "../mod.ts";
 * using sel = new DefaultSelector();
 * const [r, w] = pipe();
 * sel.register(r, EVENT_READ);
 * sel.unregister(r);
 * close(r);
 * close(w);
 * ```
 */
export const DefaultSelector: new <T = unknown>() => Selector<T> = function <
  T,
>(): Selector<T> {
  return new CLASSES[defaultSelectorName().name]<T>();
} as unknown as new <T = unknown>() => Selector<T>;
