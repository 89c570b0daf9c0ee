/**
 * Debug mode's checks that need no loop at hand: whether the running loop
 * is in debug mode (one property load on hot paths), and the
 * "never awaited" report for awaitables made and dropped (Python's
 * `RuntimeWarning: coroutine ... was never awaited`). Generator objects
 * cannot be tracked this way (their creation runs no code of ours).
 *
 * @module
 */

/** `on`: the running loop is in debug mode. @internal */
export const _debug: { on: boolean } = { on: false };

const neverAwaited = new FinalizationRegistry<{ what: string; at: string }>(
  ({ what, at }) => {
    console.warn(
      `RuntimeWarning: ${what} was never awaited: use yield* (generators) or await (async functions) on it\ncreated at:\n${at}`,
    );
  },
);

/** Report `aw` if it is collected before `_untrack(aw)`. @internal */
export function _track<T extends object>(aw: T, what: string): T {
  const stack = new Error().stack ?? "";
  // Drop the "Error" line and our own frames.
  const at = stack.split("\n").slice(3).join("\n");
  neverAwaited.register(aw, { what, at }, aw);
  return aw;
}

/** `aw` was awaited: no report. @internal */
export function _untrack(aw: object): void {
  neverAwaited.unregister(aw);
}
