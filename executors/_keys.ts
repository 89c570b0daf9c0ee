/**
 * Keys of the members this part shares with the other parts but not with
 * users: symbol-keyed, they stay out of the public types and completions
 * (a `_`-named member would show in every user's editor).
 *
 * @module
 */

/** @internal */
export const _submitChunk: unique symbol = Symbol("_submitChunk");

/** @internal */
export const _type: unique symbol = Symbol("_type");
