/**
 * The one table of libc symbols (data, in Deno's FFI type names), loaded
 * lazily once by the runtime's backend: `Deno.dlopen` (`_ffi_deno.ts`),
 * koffi on Node (`_ffi_koffi.ts`), `bun:ffi` on Bun (`_ffi_bun.ts`). Each
 * turns the table into plain functions once; everything else calls those
 * directly (`libc().read(...)`), so no runtime pays for the others.
 *
 * errno is read right after a failing call. On the JS thread the address of
 * errno is fixed, so on Deno and Bun an `Int32Array` over
 * `__errno_location()` (Linux) or `__error()` (macOS) reads it without a
 * second FFI call; koffi keeps its own copy (`koffi.errno()`).
 *
 * @module
 */

import { openDeno } from "./_ffi_deno.ts";
import { openKoffi } from "./_ffi_koffi.ts";
import { openBun } from "./_ffi_bun.ts";
import type { OpenedLibrary, SymbolsOf, SymbolTable } from "./_ffi_types.ts";
import { arch, os as OS, type OsName, runtime } from "./_runtime.ts";

const SYMBOLS = {
  close: { parameters: ["i32"], result: "i32" },
  // ssize_t results are declared i32: counts fit, -1 stays -1, and a 32-bit
  // result stays a JS number (64-bit integers would be bigint).
  read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  pipe: { parameters: ["buffer"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32", optional: true },
  // ---- subprocesses (poll/spawn.ts) ----
  // posix_spawn* return their error number instead of setting errno.
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "pointer"],
    result: "i32",
  },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: {
    parameters: ["buffer", "i32", "i32"],
    result: "i32",
  },
  posix_spawn_file_actions_addclose: {
    parameters: ["buffer", "i32"],
    result: "i32",
  },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  // glibc >= 2.29, macOS >= 10.15.
  posix_spawn_file_actions_addchdir_np: {
    parameters: ["buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  // glibc >= 2.34 only.
  posix_spawn_file_actions_addclosefrom_np: {
    parameters: ["buffer", "i32"],
    result: "i32",
    optional: true,
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  // The flags are a C short.
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigdefault: {
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  posix_spawnattr_setsigmask: {
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  posix_spawnattr_setpgroup: { parameters: ["buffer", "i32"], result: "i32" },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  sigaddset: { parameters: ["buffer", "i32"], result: "i32" },
  // `char **environ` (Linux, BSD); macOS reaches it through _NSGetEnviron.
  environ: { type: "pointer", optional: true },
  _NSGetEnviron: { parameters: [], result: "pointer", optional: true },
  // syscall(2) is variadic; every argument is a long (bigint). Used for
  // pidfd_open (434 on every Linux arch), which glibc wraps only since 2.36.
  syscall: {
    parameters: ["i64", "i64", "i64"],
    result: "i32",
    optional: true,
  },
  waitid: {
    parameters: ["i32", "u32", "buffer", "i32"],
    result: "i32",
    optional: true,
  },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  // ---- end subprocesses ----
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // fcntl is variadic. On Apple arm64 variadic arguments go on the stack,
  // not in registers (Apple's "Writing ARM64 code for Apple platforms"), and
  // FFI has no variadic calls: declaring 8 register-sized arguments puts the
  // 9th where fcntl reads its third one. Use it through `fcntl()` below.
  fcntl_stacked: {
    name: "fcntl",
    parameters: ["i32", "i32", "i64", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "i32",
  },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // ---- net: sockets and name resolution (poll/socket.ts, getaddrinfo.ts)
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // Linux and FreeBSD; macOS has no accept4 (accept + fcntl there).
  accept4: {
    parameters: ["i32", "buffer", "buffer", "i32"],
    result: "i32",
    optional: true,
  },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  recvfrom: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"],
    result: "i32",
  },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "i32",
  },
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  recvmmsg: {
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
    optional: true,
  },
  sendmmsg: {
    parameters: ["i32", "buffer", "u32", "i32"],
    result: "i32",
    optional: true,
  },
  sendfile: {
    parameters: ["i32", "i32", "buffer", "usize"],
    result: "i32",
    optional: true,
  },
  unlink: { parameters: ["buffer"], result: "i32" },
  // On Deno's blocking pool: never blocks the loop; returns its error.
  getaddrinfo: {
    parameters: ["buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  freeaddrinfo: { parameters: ["pointer"], result: "void" },
  gai_strerror: { parameters: ["i32"], result: "pointer" },
  getnameinfo: {
    parameters: ["buffer", "u32", "buffer", "u32", "buffer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  // ---- end net
  poll: { parameters: ["buffer", "u32", "i32"], result: "i32" },
  poll_async: {
    name: "poll",
    parameters: ["buffer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  select: {
    parameters: ["i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  select_async: {
    name: "select",
    parameters: ["i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32", optional: true },
  epoll_create1: { parameters: ["i32"], result: "i32", optional: true },
  epoll_ctl: {
    parameters: ["i32", "i32", "i32", "buffer"],
    result: "i32",
    optional: true,
  },
  epoll_wait: {
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    optional: true,
  },
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
    optional: true,
  },
  kqueue: { parameters: [], result: "i32", optional: true },
  kevent: {
    parameters: ["i32", "buffer", "i32", "buffer", "i32", "buffer"],
    result: "i32",
    optional: true,
  },
  kevent_async: {
    name: "kevent",
    parameters: ["i32", "buffer", "i32", "buffer", "i32", "buffer"],
    result: "i32",
    nonblocking: true,
    optional: true,
  },
  // A host turn of the event loop (loop/_host_turn.ts): a short sleep on
  // Deno's thread pool, long enough that the JS thread parks meanwhile.
  usleep_async: {
    name: "usleep",
    parameters: ["u32"],
    result: "i32",
    nonblocking: true,
  },
  // ---- runtimes: the FFI backends' benchmark (bench/ffi_backends.ts)
  getpid: { parameters: [], result: "i32" },
  // ---- end runtimes
  __errno_location: { parameters: [], result: "pointer", optional: true },
  __error: { parameters: [], result: "pointer", optional: true },
} as const satisfies SymbolTable;

/** The loaded symbols: the same calls on every runtime. @internal */
export type LibcSymbols = SymbolsOf<typeof SYMBOLS>;

let symbols: LibcSymbols | null = null;
let openedName = "";
let errnoView: Int32Array | null = null;
let errnoOf: () => number = () => 0;
let offThread = true;

/** The libc file names to try on `os`, best first. @internal */
export function libraryNames(os: string): string[] {
  switch (os) {
    case "linux":
    case "android":
      // glibc first, then musl (Alpine), whose libc is plain libc.so.
      return [
        "libc.so.6",
        "libc.so",
        `libc.musl-${arch}.so.1`,
      ];
    case "darwin":
      return ["libSystem.B.dylib"];
    case "freebsd":
      return ["libc.so.7"];
    case "netbsd":
      return ["libc.so.12"];
    default:
      return [];
  }
}

/**
 * The libc symbols, loaded on first use.
 *
 * @throws {Error} without FFI permission ("run with --allow-ffi"), on an
 *   unsupported OS, or on Node without the koffi package.
 * @internal
 */
export function libc(): LibcSymbols {
  if (symbols !== null) return symbols;
  const lib = _openLibc(libraryNames(OS));
  openedName = lib.name;
  errnoView = lib.errnoView;
  errnoOf = lib.errno;
  offThread = lib.offThread;
  return symbols = lib.symbols as unknown as LibcSymbols;
}

/**
 * Open the first of `names` with our symbol table through the runtime's
 * backend; clear errors for a missing FFI permission or an OS without a
 * known libc.
 * @internal
 */
export function _openLibc(
  names: string[],
  os: string = OS,
): OpenedLibrary {
  const table: SymbolTable = SYMBOLS;
  switch (runtime) {
    case "deno":
      return openDeno(names, table, os);
    case "bun":
      return openBun(names, table, os);
    default:
      return openKoffi(names, table, os);
  }
}

/** The file name libc was opened from ("libc.so.6"). @internal */
export function libraryName(): string {
  libc();
  return openedName;
}

/**
 * Whether `nonblocking` symbols run off the JS thread (Deno, Node). On Bun
 * they run on it after a host turn: waits must poll instead. @internal
 */
export function asyncCallsOffThread(): boolean {
  libc();
  return offThread;
}

/** errno of the JS thread, read right after a failing call. @internal */
export function errno(): number {
  return errnoView !== null ? errnoView[0] : errnoOf();
}

const STACKED_VARARGS = OS === "darwin" && arch === "aarch64";

/**
 * `fcntl(fd, cmd, arg)` with an int argument, called right for the
 * platform's variadic convention (see `fcntl_stacked`).
 * @internal
 */
export function fcntl(fd: number, cmd: number, arg: number): number {
  const sym = libc();
  return STACKED_VARARGS
    ? sym.fcntl_stacked(fd, cmd, 0n, 0n, 0n, 0n, 0n, 0n, BigInt(arg))
    : sym.fcntl(fd, cmd, arg);
}

/**
 * A symbol only some systems have, or a clear error naming what to use.
 * @internal
 */
export function need<K extends keyof LibcSymbols>(
  name: K,
  instead: string,
): NonNullable<LibcSymbols[K]> {
  const sym = libc()[name];
  if (sym === null || sym === undefined) {
    throw new Error(
      `Cannot call ${
        String(name)
      }(): ${OS}'s libc does not have it, ${instead}`,
    );
  }
  return sym as NonNullable<LibcSymbols[K]>;
}

/** The OS this process runs on (for per-OS constants). @internal */
export const os: OsName = OS;
