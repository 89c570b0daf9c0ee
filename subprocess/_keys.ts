/**
 * Keys of the members this part shares with the other parts but not with
 * users: symbol-keyed, they stay out of the public types and completions
 * (a `_`-named member would show in every user's editor).
 *
 * @module
 */

/** @internal */
export const _exited: unique symbol = Symbol("_exited");

/** @internal */
export const _pauseWriting: unique symbol = Symbol("_pauseWriting");

/** @internal */
export const _pipeData: unique symbol = Symbol("_pipeData");

/** @internal */
export const _pipeLost: unique symbol = Symbol("_pipeLost");

/** @internal */
export const _resumeWriting: unique symbol = Symbol("_resumeWriting");
