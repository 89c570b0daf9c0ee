/**
 * Keys of the members this part shares with the other parts but not with
 * users: symbol-keyed, they stay out of the public types and completions
 * (a `_`-named member would show in every user's editor).
 *
 * @module
 */

/** @internal */
export const _attach: unique symbol = Symbol("_attach");

/** @internal */
export const _attempt: unique symbol = Symbol("_attempt");

/** @internal */
export const _closeWaiter: unique symbol = Symbol("_closeWaiter");

/** @internal */
export const _detach: unique symbol = Symbol("_detach");

/** @internal */
export const _drainHelper: unique symbol = Symbol("_drainHelper");

/** @internal */
export const _isServerSide: unique symbol = Symbol("_isServerSide");

/** @internal */
export const _loop: unique symbol = Symbol("_loop");

/** @internal */
export const _onClose: unique symbol = Symbol("_onClose");

/** @internal */
export const _replaceTransport: unique symbol = Symbol("_replaceTransport");

/** @internal */
export const _room: unique symbol = Symbol("_room");

/** @internal */
export const _waitDone: unique symbol = Symbol("_waitDone");

/** @internal */
export const _waitForData: unique symbol = Symbol("_waitForData");

/** @internal */
export const _wrap: unique symbol = Symbol("_wrap");
