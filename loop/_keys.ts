/**
 * Keys of the members this part shares with the other parts but not with
 * users: symbol-keyed, they stay out of the public types and completions
 * (a `_`-named member would show in every user's editor).
 *
 * @module
 */

/** @internal */
export const _arg: unique symbol = Symbol("_arg");

/** @internal */
export const _args: unique symbol = Symbol("_args");

/** @internal */
export const _callback: unique symbol = Symbol("_callback");

/** @internal */
export const _errorContext: unique symbol = Symbol("_errorContext");

/** @internal */
export const _executorJobs: unique symbol = Symbol("_executorJobs");

/** @internal */
export const _owner: unique symbol = Symbol("_owner");

/** @internal */
export const _run: unique symbol = Symbol("_run");

/** @internal */
export const _source: unique symbol = Symbol("_source");

/** @internal */
export const _timerHandleCancelled: unique symbol = Symbol(
  "_timerHandleCancelled",
);

/** @internal */
export const _when0: unique symbol = Symbol("_when0");

/** @internal */
export const _when1: unique symbol = Symbol("_when1");
