/**
 * Keys of the members this part shares with the other parts but not with
 * users: symbol-keyed, they stay out of the public types and completions
 * (a `_`-named member would show in every user's editor).
 *
 * @module
 */

/** @internal */
export const _abort: unique symbol = Symbol("_abort");

/** @internal */
export const _acquire: unique symbol = Symbol("_acquire");

/** @internal */
export const _appProtocol: unique symbol = Symbol("_appProtocol");

/** @internal */
export const _callbackError: unique symbol = Symbol("_callbackError");

/** @internal */
export const _closed: unique symbol = Symbol("_closed");

/** @internal */
export const _drain: unique symbol = Symbol("_drain");

/** @internal */
export const _getExtraInfo: unique symbol = Symbol("_getExtraInfo");

/** @internal */
export const _getWriteBufferLimits: unique symbol = Symbol(
  "_getWriteBufferLimits",
);

/** @internal */
export const _getWriteBufferSize: unique symbol = Symbol("_getWriteBufferSize");

/** @internal */
export const _handshakeStep: unique symbol = Symbol("_handshakeStep");

/** @internal */
export const _isReading: unique symbol = Symbol("_isReading");

/** @internal */
export const _pauseReading: unique symbol = Symbol("_pauseReading");

/** @internal */
export const _ptr: unique symbol = Symbol("_ptr");

/** @internal */
export const _readInto: unique symbol = Symbol("_readInto");

/** @internal */
export const _release: unique symbol = Symbol("_release");

/** @internal */
export const _resumeReading: unique symbol = Symbol("_resumeReading");

/** @internal */
export const _setAppProtocol: unique symbol = Symbol("_setAppProtocol");

/** @internal */
export const _setWriteBufferLimits: unique symbol = Symbol(
  "_setWriteBufferLimits",
);

/** @internal */
export const _startShutdown: unique symbol = Symbol("_startShutdown");

/** @internal */
export const _unwrapStep: unique symbol = Symbol("_unwrapStep");

/** @internal */
export const _writeAppdata: unique symbol = Symbol("_writeAppdata");

/** @internal */
export const _writeFrom: unique symbol = Symbol("_writeFrom");
