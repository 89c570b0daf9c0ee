/**
 * The selector contract: what every polling backend in `poll/` implements.
 *
 * It mirrors Python's `selectors` module. A selector watches file descriptors
 * for readiness; `select(timeout)` blocks (in the kernel, on the calling
 * thread) until at least one is ready or the timeout passes, and returns the
 * ready keys with the events that fired. `selectAsync(timeout)` does the same
 * wait on Deno's thread pool and returns a Promise, so the JS thread stays free
 * for host work (timers, fetch, Workers) while it waits.
 *
 * Contract every backend keeps:
 * - Bad input throws a clear error and changes nothing: registering an fd
 *   twice, unknown fds, events of 0 or with unknown bits, negative or
 *   non-integer fds, and any call on a closed selector.
 * - A peer hang-up or an error condition on a watched fd is reported as the
 *   events the fd was registered for (readable and/or writable), as Python
 *   does, so the reader/writer sees EOF or the error on its next call.
 * - `select()` allocates nothing per call beyond the array it returns.
 * - A wait interrupted by a signal (EINTR) is retried with the time left;
 *   `InterruptedError` never reaches the caller.
 * - Unregister an fd before closing it. If it is closed while registered,
 *   the kernels disagree and so do the backends, as in Python: epoll
 *   forgets it silently, poll reports it ready (POLLNVAL), select's next
 *   wait throws `OSError` EBADF. `unregister()` then still succeeds.
 * - `selectAsync()` runs the wait with a `nonblocking: true` FFI symbol on a
 *   pool thread, whose errno the JS thread cannot read. When that call
 *   fails, the selector polls once more (timeout 0) on the JS thread, which
 *   retries EINTR or throws the real error with its errno.
 *
 * @module
 */

/**
 * Readiness for reading: data, EOF, a pending connection, or an error.
 *
 * @example Both events
 * ```ts
 * import { EVENT_READ, EVENT_WRITE } from "./mod.ts";
 * const both = EVENT_READ | EVENT_WRITE;
 * console.log(both); // 3
 * ```
 */
export const EVENT_READ = 1;
/**
 * Readiness for writing: buffer space, a finished connect, or an error.
 *
 * @example Both events
 * ```ts
 * import { EVENT_READ, EVENT_WRITE } from "./mod.ts";
 * const both = EVENT_READ | EVENT_WRITE;
 * console.log(both); // 3
 * ```
 */
export const EVENT_WRITE = 2;

/**
 * Anything with a file descriptor, as in Python: an object whose `fileno()`
 * returns it.
 *
 * @example Wrapping an fd
 * ```ts
 * import type { HasFileno } from "./types.ts";
 * const obj: HasFileno = { fileno: () => 0 };
 * ```
 */
export interface HasFileno {
  /** The file descriptor this object owns. */
  fileno(): number;
}

/**
 * A file descriptor number, or an object with `fileno()`.
 *
 * @example Two kinds of file object
 * ```ts
 * import type { FileObject } from "../mod.ts";
 * const a: FileObject = 0;
 * const b: FileObject = { fileno: () => 0 };
 * console.log(a, b.fileno());
 * ```
 */
export type FileObject = number | HasFileno;

/**
 * What a selector remembers about one registered file descriptor.
 *
 * @typeParam T The type of the caller's `data`.
 *
 * @example The key of a registered pipe
 * ```ts
 * import { type SelectorKey } from "../mod.ts";
 * import { EVENT_READ, PollSelector, pipe, close } from "./mod.ts";
 * using sel = new PollSelector<string>();
 * const [r, w] = pipe();
 * const key: SelectorKey<string> = sel.register(r, EVENT_READ, "input");
 * console.log(key.fd === r, key.data);
 * sel.unregister(r);
 * close(r);
 * close(w);
 * ```
 */
export interface SelectorKey<T = unknown> {
  /** The object that was registered (fd number or object with `fileno()`). */
  readonly fileobj: FileObject;
  /** Its file descriptor. */
  readonly fd: number;
  /** The events watched: a mask of `EVENT_READ` and `EVENT_WRITE`. */
  readonly events: number;
  /** The caller's data, given at `register()` or `modify()`. */
  readonly data: T;
}

/**
 * Ready keys with the events that fired for each.
 *
 * @example Nothing ready
 * ```ts
 * import { type SelectResult } from "../mod.ts";
 * import { PollSelector } from "./mod.ts";
 * using sel = new PollSelector();
 * const ready: SelectResult = sel.select(0);
 * console.log(ready.length); // 0
 * ```
 */
export type SelectResult<T = unknown> = Array<[SelectorKey<T>, number]>;

/**
 * A readiness selector over file descriptors (Python's `selectors.BaseSelector`).
 *
 * @typeParam T The type of the per-fd `data`.
 *
 * @example Using any selector through the interface
 * ```ts
 * import { type Selector } from "../mod.ts";
 * import { DefaultSelector } from "./mod.ts";
 * using sel: Selector<string> = new DefaultSelector<string>();
 * console.log(sel.getMap().size); // 0
 * ```
 */
export interface Selector<T = unknown> extends Disposable {
  /**
   * Start watching `fileobj` for `events`.
   *
   * @throws {TypeError} if fileobj is not an fd or object with `fileno()`.
   * @throws {RangeError} on a bad fd or bad events mask, or an fd past
   *   FD_SETSIZE on `SelectSelector`.
   * @throws {OSError} if the fd is not open (EBADF) or the kernel refuses it.
   * @throws {Error} if the fd is already registered or the selector is closed.
   */
  register(fileobj: FileObject, events: number, data?: T): SelectorKey<T>;
  /**
   * Stop watching `fileobj`; returns the key it had. Works on an fd that
   * was closed meanwhile.
   *
   * @throws {Error} if it is not registered or the selector is closed.
   */
  unregister(fileobj: FileObject): SelectorKey<T>;
  /**
   * Change the events and data of a registered `fileobj`; returns the new
   * key (the old one is left as it was, as in Python).
   *
   * @throws {RangeError} on a bad events mask.
   * @throws {Error} if it is not registered or the selector is closed.
   */
  modify(fileobj: FileObject, events: number, data?: T): SelectorKey<T>;
  /**
   * Wait for readiness, blocking the calling thread.
   *
   * @param timeout Seconds; `undefined`/`null` waits forever, `<= 0` polls.
   * @returns Each ready key once, with the events that fired (a subset of
   *   the key's events).
   * @throws {TypeError} if timeout is not a number, null or undefined.
   * @throws {Error} while a `selectAsync()` is pending, or once closed.
   */
  select(timeout?: number | null): SelectResult<T>;
  /**
   * As `select()`, but waits on Deno's thread pool and returns a Promise,
   * so host timers and I/O keep running. One at a time per selector; it
   * resolves to `[]` if the selector is closed meanwhile.
   */
  selectAsync(timeout?: number | null): Promise<SelectResult<T>>;
  /** The key of a registered `fileobj`; throws if it is not registered. */
  getKey(fileobj: FileObject): SelectorKey<T>;
  /** A read-only view: fd -> key. */
  getMap(): ReadonlyMap<number, SelectorKey<T>>;
  /**
   * Release the kernel object; later calls throw. Idempotent. During a
   * pending `selectAsync()` the release waits for that wait to return:
   * wake it first if it has no timeout.
   */
  close(): void;
}
