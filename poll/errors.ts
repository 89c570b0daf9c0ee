/**
 * OS errors as typed exceptions: `OSError` with `errno`, its name (`code`),
 * the failing syscall and fd, and Python's subclasses where they apply.
 * `EINTR` never reaches callers: the wrappers retry it.
 *
 * @module
 */

import { os } from "./_libc.ts";

// [name, Linux number, macOS/BSD number, description]. Numbers from
// <asm-generic/errno-base.h>, <asm-generic/errno.h> and macOS <sys/errno.h>.
const TABLE: Array<[string, number, number, string]> = [
  ["EPERM", 1, 1, "Operation not permitted"],
  ["ENOENT", 2, 2, "No such file or directory"],
  ["ESRCH", 3, 3, "No such process"],
  ["EINTR", 4, 4, "Interrupted system call"],
  ["EIO", 5, 5, "Input/output error"],
  ["E2BIG", 7, 7, "Argument list too long"],
  ["ENOEXEC", 8, 8, "Exec format error"],
  ["EBADF", 9, 9, "Bad file descriptor"],
  ["ECHILD", 10, 10, "No child processes"],
  ["EAGAIN", 11, 35, "Resource temporarily unavailable"],
  ["ENOMEM", 12, 12, "Cannot allocate memory"],
  ["EACCES", 13, 13, "Permission denied"],
  ["EFAULT", 14, 14, "Bad address"],
  ["EEXIST", 17, 17, "File exists"],
  ["ENOTDIR", 20, 20, "Not a directory"],
  ["EINVAL", 22, 22, "Invalid argument"],
  ["ENFILE", 23, 23, "Too many open files in system"],
  ["EMFILE", 24, 24, "Too many open files"],
  ["EPIPE", 32, 32, "Broken pipe"],
  ["ENOSYS", 38, 78, "Function not implemented"],
  ["ENOTSOCK", 88, 38, "Socket operation on non-socket"],
  ["EAFNOSUPPORT", 97, 47, "Address family not supported by protocol"],
  ["EADDRINUSE", 98, 48, "Address already in use"],
  ["EADDRNOTAVAIL", 99, 49, "Cannot assign requested address"],
  ["ENETUNREACH", 101, 51, "Network is unreachable"],
  ["ECONNABORTED", 103, 53, "Software caused connection abort"],
  ["ECONNRESET", 104, 54, "Connection reset by peer"],
  ["ENOBUFS", 105, 55, "No buffer space available"],
  ["EISCONN", 106, 56, "Transport endpoint is already connected"],
  ["ENOTCONN", 107, 57, "Transport endpoint is not connected"],
  ["ESHUTDOWN", 108, 58, "Cannot send after transport endpoint shutdown"],
  ["ETIMEDOUT", 110, 60, "Connection timed out"],
  ["ECONNREFUSED", 111, 61, "Connection refused"],
  ["EHOSTUNREACH", 113, 65, "No route to host"],
  ["EALREADY", 114, 37, "Operation already in progress"],
  ["EINPROGRESS", 115, 36, "Operation now in progress"],
];

const LINUX = os === "linux" || os === "android";
const byNumber = new Map<number, [string, string]>();
const byName = new Map<string, number>();
for (const [name, linux, bsd, text] of TABLE) {
  const n = LINUX ? linux : bsd;
  byNumber.set(n, [name, text]);
  byName.set(name, n);
}

/**
 * The errno number of `name` on this OS (e.g. `errnoOf("EAGAIN")`).
 *
 * @throws {RangeError} for a name not in the table.
 *
 * @example Looking up a number
 * ```ts
 * import { errnoOf } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(typeof errnoOf("EBADF"), "number");
 * ```
 */
export function errnoOf(name: string): number {
  const n = byName.get(name);
  if (n === undefined) throw new RangeError(`Unknown errno name: ${name}`);
  return n;
}

/**
 * The symbolic name of an errno number (`"EBADF"`), or `"E<n>"` if unknown.
 *
 * @example Naming a number
 * ```ts
 * import { errnoName, errnoOf } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(errnoName(errnoOf("EPIPE")), "EPIPE");
 * ```
 */
export function errnoName(errno: number): string {
  return byNumber.get(errno)?.[0] ?? `E${errno}`;
}

/**
 * The description of an errno number, as C's `strerror()` (English, from
 * our table; `"Unknown error <n>"` for others).
 *
 * @example Describing a number
 * ```ts
 * import { errnoOf, strerror } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(strerror(errnoOf("EBADF")), "Bad file descriptor");
 * ```
 */
export function strerror(errno: number): string {
  return byNumber.get(errno)?.[1] ?? `Unknown error ${errno}`;
}

/**
 * Options of {@linkcode OSError}.
 *
 * @example Naming the call and fd
 * ```ts
 * import { OSError, type OSErrorOptions } from "../mod.ts";
 * const opts: OSErrorOptions = { syscall: "read", fd: 3 };
 * console.log(new OSError(9, undefined, opts).message);
 * ```
 */
export interface OSErrorOptions {
  /** The syscall that failed, e.g. `"epoll_ctl"`. */
  syscall?: string;
  /** The file descriptor involved. */
  fd?: number;
  /** The underlying cause. */
  cause?: unknown;
}

/**
 * A system call failed. `errno` is the OS error number, `code` its name.
 *
 * @example Catching a bad fd
 * ```ts
 * import { OSError } from "../mod.ts";
 * import { close } from "./mod.ts";
 * import assert from "node:assert/strict";
 * try {
 *   close(987654);
 * } catch (err) {
 *   assert.ok(err instanceof OSError);
 *   assert.equal(err.code, "EBADF");
 * }
 * ```
 */
export class OSError extends Error {
  /** The OS error number. */
  readonly errno: number;
  /** Its symbolic name, e.g. `"ECONNREFUSED"`. */
  readonly code: string;
  /** The syscall that failed, if known. */
  readonly syscall: string | undefined;
  /** The file descriptor involved, if any. */
  readonly fd: number | undefined;

  /**
   * Create the error.
   *
   * @param errno The OS error number.
   * @param message Defaults to "<syscall>(fd N) failed: CODE (description)".
   * @param options The syscall and fd.
   */
  constructor(errno: number, message?: string, options?: OSErrorOptions) {
    const code = errnoName(errno);
    const text = strerror(errno);
    const where = options?.syscall
      ? `${options.syscall}(${
        options.fd !== undefined ? `fd ${options.fd}` : ""
      }) failed: `
      : "";
    super(message ?? `${where}${code} (${text})`, { cause: options?.cause });
    this.name = new.target.name;
    this.errno = errno;
    this.code = code;
    this.syscall = options?.syscall;
    this.fd = options?.fd;
  }
}

/**
 * The operation would block (EAGAIN, EWOULDBLOCK, EINPROGRESS, EALREADY).
 *
 * @example A non-blocking read with nothing to read
 * ```ts
 * import { BlockingIOError } from "../mod.ts";
 * import { close, pipe, read } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [r, w] = pipe({ nonblocking: true });
 * assert.throws(() => read(r, new Uint8Array(1)), BlockingIOError);
 * close(r);
 * close(w);
 * ```
 */
export class BlockingIOError extends OSError {}
/**
 * Writing to a pipe or socket whose reader is gone (EPIPE, ESHUTDOWN).
 *
 * @example Writing to a pipe nobody reads
 * ```ts
 * import { BrokenPipeError } from "../mod.ts";
 * import { close, pipe, write } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const [r, w] = pipe();
 * close(r);
 * assert.throws(() => write(w, new Uint8Array(1)), BrokenPipeError);
 * close(w);
 * ```
 */
export class BrokenPipeError extends OSError {}
/**
 * The peer refused the connection (ECONNREFUSED).
 *
 * @example Building one by hand
 * ```ts
 * import { ConnectionRefusedError, errnoOf } from "./errors.ts";
 * new ConnectionRefusedError(errnoOf("ECONNREFUSED"));
 * ```
 */
export class ConnectionRefusedError extends OSError {}
/**
 * The peer reset the connection (ECONNRESET).
 *
 * @example Building one by hand
 * ```ts
 * import { ConnectionResetError, errnoOf } from "./errors.ts";
 * new ConnectionResetError(errnoOf("ECONNRESET"));
 * ```
 */
export class ConnectionResetError extends OSError {}
/**
 * The connection was aborted locally (ECONNABORTED).
 *
 * @example Building one by hand
 * ```ts
 * import { ConnectionAbortedError, errnoOf } from "./errors.ts";
 * new ConnectionAbortedError(errnoOf("ECONNABORTED"));
 * ```
 */
export class ConnectionAbortedError extends OSError {}
/**
 * A path does not exist (ENOENT).
 *
 * @example Building one by hand
 * ```ts
 * import { FileNotFoundError, errnoOf } from "./errors.ts";
 * new FileNotFoundError(errnoOf("ENOENT"));
 * ```
 */
export class FileNotFoundError extends OSError {}
/**
 * Not allowed (EACCES, EPERM).
 *
 * @example Building one by hand
 * ```ts
 * import { PermissionError, errnoOf } from "./errors.ts";
 * new PermissionError(errnoOf("EACCES"));
 * ```
 */
export class PermissionError extends OSError {}
/**
 * No such process (ESRCH): e.g. signalling a process that has exited.
 *
 * @example
 * ```ts
 * import { errnoOf, ProcessLookupError } from "./errors.ts";
 * new ProcessLookupError(errnoOf("ESRCH"));
 * ```
 */
export class ProcessLookupError extends OSError {}
/**
 * No such child to wait for (ECHILD).
 *
 * @example
 * ```ts
 * import { ChildProcessError, errnoOf } from "./errors.ts";
 * new ChildProcessError(errnoOf("ECHILD"));
 * ```
 */
export class ChildProcessError extends OSError {}
/**
 * A path component is not a directory (ENOTDIR).
 *
 * @example
 * ```ts
 * import { errnoOf, NotADirectoryError } from "./errors.ts";
 * new NotADirectoryError(errnoOf("ENOTDIR"));
 * ```
 */
export class NotADirectoryError extends OSError {}
/**
 * A system call was interrupted (EINTR). The wrappers retry it; it is
 * exported for completeness and never surfaces from this module.
 *
 * @example Building one by hand
 * ```ts
 * import { InterruptedError, errnoOf } from "./errors.ts";
 * new InterruptedError(errnoOf("EINTR"));
 * ```
 */
export class InterruptedError extends OSError {}

/**
 * A deadline passed: ETIMEDOUT from the OS, and asyncio's timeouts
 * (`waitFor`, `timeout()`), which are the same class as in Python 3.11.
 * `new TimeoutError()` needs no errno (ETIMEDOUT is used).
 *
 * @example asyncio's timeout, without an errno
 * ```ts
 * import { TimeoutError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new TimeoutError("took too long");
 * assert.equal(err.code, "ETIMEDOUT");
 * assert.equal(err.message, "took too long");
 * ```
 */
export class TimeoutError extends OSError {
  /**
   * Create the error.
   *
   * @param messageOrErrno A message, or an errno (from the OS).
   * @param message The message when the first argument is an errno.
   * @param options The syscall and fd.
   */
  constructor(
    messageOrErrno?: string | number,
    message?: string,
    options?: OSErrorOptions,
  ) {
    const fromOs = typeof messageOrErrno === "number";
    super(
      fromOs ? messageOrErrno : errnoOf("ETIMEDOUT"),
      fromOs ? message : (messageOrErrno ?? ""),
      options,
    );
  }
}

const SUBCLASS: Record<
  string,
  new (e: number, m?: string, o?: OSErrorOptions) => OSError
> = {
  EAGAIN: BlockingIOError,
  EINPROGRESS: BlockingIOError,
  EALREADY: BlockingIOError,
  EPIPE: BrokenPipeError,
  ESHUTDOWN: BrokenPipeError,
  ECONNREFUSED: ConnectionRefusedError,
  ECONNRESET: ConnectionResetError,
  ECONNABORTED: ConnectionAbortedError,
  ENOENT: FileNotFoundError,
  EACCES: PermissionError,
  EPERM: PermissionError,
  ESRCH: ProcessLookupError,
  ECHILD: ChildProcessError,
  ENOTDIR: NotADirectoryError,
  EINTR: InterruptedError,
  ETIMEDOUT: TimeoutError,
};

/**
 * The typed error for `errno` from `syscall` on `fd`: the matching
 * subclass, else `OSError`.
 *
 * @example Turning errno into the right class
 * ```ts
 * import { BlockingIOError, errnoOf, fromErrno } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = fromErrno(errnoOf("EAGAIN"), "read", 5);
 * assert.ok(err instanceof BlockingIOError);
 * assert.match(err.message, /read\(fd 5\) failed: EAGAIN/);
 * ```
 */
export function fromErrno(
  errno: number,
  syscall: string,
  fd?: number,
): OSError {
  const Cls = SUBCLASS[errnoName(errno)] ?? OSError;
  if (Cls === TimeoutError) {
    return new TimeoutError(errno, undefined, { syscall, fd });
  }
  return new Cls(errno, undefined, { syscall, fd });
}
