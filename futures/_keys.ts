/**
 * Keys of the members this part shares with the other parts but not with
 * users: symbol-keyed, they stay out of the public types and completions
 * (a `_`-named member would show in every user's editor).
 *
 * @module
 */

/** @internal */
export const _addTaskWaiter: unique symbol = Symbol("_addTaskWaiter");

/** @internal */
export const _asyncTaskRef: unique symbol = Symbol("_asyncTaskRef");

/** @internal */
export const _awaitEnd: unique symbol = Symbol("_awaitEnd");

/** @internal */
export const _awaitStart: unique symbol = Symbol("_awaitStart");

/** @internal */
export const _callSoon1: unique symbol = Symbol("_callSoon1");

/** @internal */
export const _cancelMessage: unique symbol = Symbol("_cancelMessage");

/** @internal */
export const _cancelMsg: unique symbol = Symbol("_cancelMsg");

/** @internal */
export const _cancelRequested: unique symbol = Symbol("_cancelRequested");

/** @internal */
export const _context: unique symbol = Symbol("_context");

/** @internal */
export const _error: unique symbol = Symbol("_error");

/** @internal */
export const _exception: unique symbol = Symbol("_exception");

/** @internal */
export const _finish: unique symbol = Symbol("_finish");

/** @internal */
export const _fire: unique symbol = Symbol("_fire");

/** @internal */
export const _hostRef: unique symbol = Symbol("_hostRef");

/** @internal */
export const _kind: unique symbol = Symbol("_kind");

/** @internal */
export const _makeCancelledError: unique symbol = Symbol("_makeCancelledError");

/** @internal */
export const _opStart: unique symbol = Symbol("_opStart");

/** @internal */
export const _result: unique symbol = Symbol("_result");

/** @internal */
export const _start: unique symbol = Symbol("_start");

/** @internal */
export const _startAcquire: unique symbol = Symbol("_startAcquire");

/** @internal */
export const _startGet: unique symbol = Symbol("_startGet");

/** @internal */
export const _startHold: unique symbol = Symbol("_startHold");

/** @internal */
export const _startPut: unique symbol = Symbol("_startPut");

/** @internal */
export const _state: unique symbol = Symbol("_state");

/** @internal */
export const _stepNow: unique symbol = Symbol("_stepNow");

/** @internal */
export const _suspending: unique symbol = Symbol("_suspending");

/** @internal */
export const _tasks: unique symbol = Symbol("_tasks");

/** @internal */
export const _wakeup: unique symbol = Symbol("_wakeup");

/** @internal */
export const _prevTask: unique symbol = Symbol("_prevTask");

/** @internal */
export const _nextTask: unique symbol = Symbol("_nextTask");
