/**
 * The backend for a platform without a libc we can call (Windows, for now):
 * it constructs, so code that merely creates a selector loads, and every
 * call on it fails with the same clear message.
 *
 * @module
 */

import { os } from "./_libc.ts";
import type {
  FileObject,
  Selector,
  SelectorKey,
  SelectResult,
} from "./types.ts";

/**
 * A selector whose every call throws one clear error. `close()` and
 * disposal succeed: there is nothing to release. @internal
 */
export class UnsupportedSelector<T = unknown> implements Selector<T> {
  /** The message every call fails with. */
  static readonly message: string =
    `Cannot use a selector: ${os} is not supported, the FFI backend runs on Linux, macOS and FreeBSD`;

  register(_fileobj: FileObject, _events: number, _data?: T): SelectorKey<T> {
    return fail();
  }
  unregister(_fileobj: FileObject): SelectorKey<T> {
    return fail();
  }
  modify(_fileobj: FileObject, _events: number, _data?: T): SelectorKey<T> {
    return fail();
  }
  select(_timeout?: number | null): SelectResult<T> {
    return fail();
  }
  selectAsync(_timeout?: number | null): Promise<SelectResult<T>> {
    return Promise.reject(new Error(UnsupportedSelector.message));
  }
  getKey(_fileobj: FileObject): SelectorKey<T> {
    return fail();
  }
  getMap(): ReadonlyMap<number, SelectorKey<T>> {
    return fail();
  }
  close(): void {}
  [Symbol.dispose](): void {}
}

function fail(): never {
  throw new Error(UnsupportedSelector.message);
}
