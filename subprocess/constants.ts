/**
 * What a child's stdin, stdout or stderr can be, as Python's `subprocess`
 * constants (same values): `PIPE`, `STDOUT`, `DEVNULL`; or an fd of ours
 * (a number >= 0); or `null`/`undefined` to inherit ours.
 *
 * @module
 */

/**
 * A new pipe between us and the child.
 *
 * @example
 * ```ts
 * import { PIPE } from "./constants.ts";
 * console.log(PIPE); // -1
 * ```
 */
export const PIPE: -1 = -1;
/**
 * For `stderr` only: the same as the child's stdout.
 *
 * @example
 * ```ts
 * import { STDOUT } from "./constants.ts";
 * console.log(STDOUT); // -2
 * ```
 */
export const STDOUT: -2 = -2;
/**
 * `/dev/null`, opened in the child.
 *
 * @example
 * ```ts
 * import { DEVNULL } from "./constants.ts";
 * console.log(DEVNULL); // -3
 * ```
 */
export const DEVNULL: -3 = -3;

/**
 * One stdio choice: `PIPE`, `STDOUT` (stderr only), `DEVNULL`, an fd of
 * ours, or `null`/`undefined` to inherit.
 */
export type Stdio = number | null | undefined;
