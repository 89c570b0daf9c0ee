/**
 * The one table of libssl/libcrypto (OpenSSL 3) symbols, loaded lazily on
 * the first use of TLS: a program that never uses TLS never opens libssl.
 * Everything else in `tls/` calls these symbols. The table is data, opened
 * by the runtime's FFI backend as the libc table is (`Deno.dlopen`, koffi
 * on Node, `bun:ffi` on Bun: `poll/_open_library.ts`).
 *
 * OpenSSL macros have no symbol: they are called through their `*_ctrl`
 * functions with the command numbers of `ssl.h`/`bio.h` ({@linkcode CTRL}).
 * Every call happens on the JS thread, which is also where libssl calls our
 * ALPN and SNI callbacks (`poll/_callback.ts`), inside the handshake.
 *
 * @module
 */

import type { Pointer as FfiPointer } from "../poll/_pointer.ts";
import { openLibrary } from "../poll/_open_library.ts";
import type { SymbolRow, SymbolTable } from "../poll/_open_library.ts";
import { cStringAt, viewAt } from "../poll/_pointer.ts";
import { os, runtime } from "../poll/_runtime.ts";

const SYMBOLS = {
  // ---- libssl: contexts
  TLS_method: { parameters: [], result: "pointer" },
  SSL_CTX_new: { parameters: ["pointer"], result: "pointer" },
  SSL_CTX_free: { parameters: ["pointer"], result: "void" },
  SSL_CTX_ctrl: {
    parameters: ["pointer", "i32", "i64", "pointer"],
    result: "i64",
  },
  SSL_CTX_callback_ctrl: {
    parameters: ["pointer", "i32", "function"],
    result: "i64",
  },
  SSL_CTX_set_options: { parameters: ["pointer", "u64"], result: "u64" },
  SSL_CTX_set_verify: {
    parameters: ["pointer", "i32", "pointer"],
    result: "void",
  },
  SSL_CTX_set_default_verify_paths: { parameters: ["pointer"], result: "i32" },
  SSL_CTX_load_verify_locations: {
    parameters: ["pointer", "buffer", "pointer"],
    result: "i32",
  },
  SSL_CTX_get_cert_store: { parameters: ["pointer"], result: "pointer" },
  SSL_CTX_use_certificate: {
    parameters: ["pointer", "pointer"],
    result: "i32",
  },
  SSL_CTX_use_PrivateKey: { parameters: ["pointer", "pointer"], result: "i32" },
  SSL_CTX_check_private_key: { parameters: ["pointer"], result: "i32" },
  SSL_CTX_set_cipher_list: { parameters: ["pointer", "buffer"], result: "i32" },
  SSL_CTX_set_alpn_protos: {
    parameters: ["pointer", "buffer", "u32"],
    result: "i32",
  },
  SSL_CTX_set_alpn_select_cb: {
    parameters: ["pointer", "function", "pointer"],
    result: "void",
  },
  // ---- libssl: connections
  SSL_new: { parameters: ["pointer"], result: "pointer" },
  SSL_free: { parameters: ["pointer"], result: "void" },
  SSL_set_bio: {
    parameters: ["pointer", "pointer", "pointer"],
    result: "void",
  },
  SSL_set_connect_state: { parameters: ["pointer"], result: "void" },
  SSL_set_accept_state: { parameters: ["pointer"], result: "void" },
  SSL_do_handshake: { parameters: ["pointer"], result: "i32" },
  // int counts: no 64-bit argument on the hot path.
  SSL_read: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_write: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  SSL_pending: { parameters: ["pointer"], result: "i32" },
  SSL_get_error: { parameters: ["pointer", "i32"], result: "i32" },
  SSL_shutdown: { parameters: ["pointer"], result: "i32" },
  SSL_ctrl: { parameters: ["pointer", "i32", "i64", "pointer"], result: "i64" },
  SSL_set1_host: { parameters: ["pointer", "buffer"], result: "i32" },
  SSL_get0_param: { parameters: ["pointer"], result: "pointer" },
  SSL_get_verify_result: { parameters: ["pointer"], result: "i64" },
  SSL_get1_peer_certificate: { parameters: ["pointer"], result: "pointer" },
  SSL_get_current_cipher: { parameters: ["pointer"], result: "pointer" },
  SSL_CIPHER_get_name: { parameters: ["pointer"], result: "pointer" },
  SSL_CIPHER_get_version: { parameters: ["pointer"], result: "pointer" },
  SSL_CIPHER_get_bits: { parameters: ["pointer", "pointer"], result: "i32" },
  SSL_get_version: { parameters: ["pointer"], result: "pointer" },
  SSL_get_servername: { parameters: ["pointer", "i32"], result: "pointer" },
  SSL_get0_alpn_selected: {
    parameters: ["pointer", "buffer", "buffer"],
    result: "void",
  },
  SSL_set_SSL_CTX: { parameters: ["pointer", "pointer"], result: "pointer" },
  SSL_is_init_finished: { parameters: ["pointer"], result: "i32" },
  // ---- libcrypto: memory BIOs
  BIO_s_mem: { parameters: [], result: "pointer", lib: "crypto" },
  BIO_new: { parameters: ["pointer"], result: "pointer", lib: "crypto" },
  BIO_new_mem_buf: {
    parameters: ["buffer", "i32"],
    result: "pointer",
    lib: "crypto",
  },
  BIO_free: { parameters: ["pointer"], result: "i32", lib: "crypto" },
  BIO_up_ref: { parameters: ["pointer"], result: "i32", lib: "crypto" },
  BIO_read: {
    parameters: ["pointer", "buffer", "i32"],
    result: "i32",
    lib: "crypto",
  },
  BIO_write: {
    parameters: ["pointer", "buffer", "i32"],
    result: "i32",
    lib: "crypto",
  },
  BIO_ctrl: {
    parameters: ["pointer", "i32", "i64", "pointer"],
    result: "i64",
    lib: "crypto",
  },
  // ---- libcrypto: the error queue
  ERR_get_error: { parameters: [], result: "u64", lib: "crypto" },
  ERR_peek_last_error: { parameters: [], result: "u64", lib: "crypto" },
  ERR_clear_error: { parameters: [], result: "void", lib: "crypto" },
  ERR_error_string_n: {
    parameters: ["u64", "buffer", "usize"],
    result: "void",
    lib: "crypto",
  },
  ERR_reason_error_string: {
    parameters: ["u64"],
    result: "pointer",
    lib: "crypto",
  },
  ERR_lib_error_string: {
    parameters: ["u64"],
    result: "pointer",
    lib: "crypto",
  },
  X509_verify_cert_error_string: {
    parameters: ["i64"],
    result: "pointer",
    lib: "crypto",
  },
  // ---- libcrypto: PEM, keys, certificates
  PEM_read_bio_X509: {
    parameters: ["pointer", "pointer", "pointer", "pointer"],
    result: "pointer",
    lib: "crypto",
  },
  PEM_read_bio_X509_AUX: {
    parameters: ["pointer", "pointer", "pointer", "pointer"],
    result: "pointer",
    lib: "crypto",
  },
  PEM_read_bio_PrivateKey: {
    parameters: ["pointer", "pointer", "pointer", "buffer"],
    result: "pointer",
    lib: "crypto",
  },
  EVP_PKEY_free: { parameters: ["pointer"], result: "void", lib: "crypto" },
  X509_free: { parameters: ["pointer"], result: "void", lib: "crypto" },
  X509_STORE_add_cert: {
    parameters: ["pointer", "pointer"],
    result: "i32",
    lib: "crypto",
  },
  X509_VERIFY_PARAM_set1_ip_asc: {
    parameters: ["pointer", "buffer"],
    result: "i32",
    lib: "crypto",
  },
  X509_VERIFY_PARAM_set_hostflags: {
    parameters: ["pointer", "u32"],
    result: "void",
    lib: "crypto",
  },
  X509_get_subject_name: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_get_issuer_name: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_get_version: { parameters: ["pointer"], result: "i64", lib: "crypto" },
  X509_get_serialNumber: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_get0_notBefore: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_get0_notAfter: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_get_ext_d2i: {
    parameters: ["pointer", "i32", "pointer", "pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_NAME_entry_count: {
    parameters: ["pointer"],
    result: "i32",
    lib: "crypto",
  },
  X509_NAME_get_entry: {
    parameters: ["pointer", "i32"],
    result: "pointer",
    lib: "crypto",
  },
  X509_NAME_ENTRY_get_object: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  X509_NAME_ENTRY_get_data: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  OBJ_obj2nid: { parameters: ["pointer"], result: "i32", lib: "crypto" },
  OBJ_nid2ln: { parameters: ["i32"], result: "pointer", lib: "crypto" },
  ASN1_STRING_get0_data: {
    parameters: ["pointer"],
    result: "pointer",
    lib: "crypto",
  },
  ASN1_STRING_length: { parameters: ["pointer"], result: "i32", lib: "crypto" },
  ASN1_TIME_print: {
    parameters: ["pointer", "pointer"],
    result: "i32",
    lib: "crypto",
  },
  ASN1_INTEGER_to_BN: {
    parameters: ["pointer", "pointer"],
    result: "pointer",
    lib: "crypto",
  },
  BN_bn2hex: { parameters: ["pointer"], result: "pointer", lib: "crypto" },
  BN_free: { parameters: ["pointer"], result: "void", lib: "crypto" },
  CRYPTO_free: {
    parameters: ["pointer", "pointer", "i32"],
    result: "void",
    lib: "crypto",
  },
  OPENSSL_sk_num: { parameters: ["pointer"], result: "i32", lib: "crypto" },
  OPENSSL_sk_value: {
    parameters: ["pointer", "i32"],
    result: "pointer",
    lib: "crypto",
  },
  GENERAL_NAMES_free: {
    parameters: ["pointer"],
    result: "void",
    lib: "crypto",
  },
  i2d_X509: { parameters: ["pointer", "buffer"], result: "i32", lib: "crypto" },
} as const;

type Table = typeof SYMBOLS;

/** A pointer of the runtime's FFI (`null` is NULL; see `poll/_pointer.ts`). */
export type Pointer = FfiPointer;

// Deno's FFI type names -> the JS values every backend takes and gives.
type Param<T> = T extends "i32" | "u32" ? number
  : T extends "i64" | "u64" | "usize" ? bigint
  : T extends "buffer" ? ArrayBufferView | null
  : Pointer;
type Result<T> = T extends "i32" ? number
  : T extends "i64" | "u64" ? bigint
  : T extends "void" ? void
  : Pointer;
type Params<P> = { -readonly [I in keyof P]: Param<P[I]> };
type Fn<R> = R extends
  { parameters: infer P extends readonly string[]; result: infer T }
  ? (...args: Params<P>) => Result<T>
  : never;

/** The loaded OpenSSL symbols (libssl and libcrypto in one object). @internal */
export type SslSymbols = { readonly [K in keyof Table]: Fn<Table[K]> };

/**
 * Command numbers of the OpenSSL macros we call through `*_ctrl`
 * (`include/openssl/ssl.h`, `bio.h`, `tls1.h` of OpenSSL 3.0).
 * @internal
 */
export const CTRL = {
  /** SSL_CTX_set_mode / SSL_set_mode */
  MODE: 33,
  /** SSL_CTX_set_tlsext_servername_callback (callback_ctrl) */
  SET_TLSEXT_SERVERNAME_CB: 53,
  /** SSL_set_tlsext_host_name (larg TLSEXT_NAMETYPE_host_name = 0) */
  SET_TLSEXT_HOSTNAME: 55,
  /** SSL_CTX_add0_chain_cert (larg 0: the context takes the X509) */
  CHAIN_CERT: 89,
  /** SSL_CTX_set_min_proto_version */
  SET_MIN_PROTO_VERSION: 123,
  /** SSL_CTX_set_max_proto_version */
  SET_MAX_PROTO_VERSION: 124,
  /** BIO_set_mem_eof_return */
  BIO_SET_BUF_MEM_EOF_RETURN: 130,
  /** BIO_ctrl_pending */
  BIO_PENDING: 10,
} as const;

/** `SSL_get_error` results (`ssl.h`). @internal */
export const SSL_ERROR = {
  NONE: 0,
  SSL: 1,
  WANT_READ: 2,
  WANT_WRITE: 3,
  WANT_X509_LOOKUP: 4,
  SYSCALL: 5,
  ZERO_RETURN: 6,
} as const;

/** `SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`. @internal */
export const MODE_PARTIAL_MOVING = 1n | 2n;

let symbols: SslSymbols | null = null;

/** Library file names to try on `os`, best first: `[libssl[], libcrypto[]]`. @internal */
export function libraryNames(os: string): [string[], string[]] {
  switch (os) {
    case "linux":
    case "android":
      return [["libssl.so.3"], ["libcrypto.so.3"]];
    case "darwin": {
      // Never the unversioned /usr/lib/libssl.dylib: it is a shim that aborts
      // the process when loaded. Homebrew's openssl@3, arm64 then x86-64.
      const dirs = [
        "/opt/homebrew/opt/openssl@3/lib",
        "/usr/local/opt/openssl@3/lib",
      ];
      return [
        dirs.map((d) => `${d}/libssl.3.dylib`),
        dirs.map((d) => `${d}/libcrypto.3.dylib`),
      ];
    }
    case "freebsd":
      // FreeBSD 14's base OpenSSL 3 is .so.30; ports install .so.3.
      return [["libssl.so.30", "libssl.so.3"], [
        "libcrypto.so.30",
        "libcrypto.so.3",
      ]];
    default:
      return [["libssl.so.3"], ["libcrypto.so.3"]];
  }
}

const INSTALL_HINT =
  "install OpenSSL 3 (Debian/Ubuntu: apt-get install libssl3, " +
  "Alpine: apk add libssl3, macOS: brew install openssl@3)";

function split(lib: "ssl" | "crypto"): SymbolTable {
  const out: Record<string, SymbolRow> = {};
  for (const [name, def] of Object.entries(SYMBOLS)) {
    const { lib: which, ...rest } = def as typeof def & { lib?: string };
    if ((which ?? "ssl") === lib) out[name] = rest;
  }
  return out;
}

function open(what: string, names: string[], table: SymbolTable) {
  try {
    return openLibrary(names, table, what).symbols;
  } catch (err) {
    if (err instanceof Error && /could be opened/.test(err.message)) {
      throw new Error(`${err.message}, ${INSTALL_HINT}`, { cause: err.cause });
    }
    throw err;
  }
}

// koffi gives 64-bit results as numbers; Deno and Bun as bigints, which the
// callers compare with (`!== 1n`, masks of error codes).
function bigintResults(
  table: SymbolTable,
  fns: Record<string, unknown>,
): Record<string, unknown> {
  if (runtime !== "node") return fns;
  for (const [name, row] of Object.entries(table)) {
    if (row.result !== "i64" && row.result !== "u64") continue;
    const fn = fns[name] as (...a: unknown[]) => number | bigint;
    fns[name] = (...a: unknown[]) => BigInt(fn(...a));
  }
  return fns;
}

/**
 * The OpenSSL symbols, loaded on first use.
 *
 * @throws {Error} naming what to install when libssl 3 is missing, or the
 *   missing FFI permission.
 * @internal
 */
export function libssl(): SslSymbols {
  if (symbols !== null) return symbols;
  const [sslNames, cryptoNames] = libraryNames(os);
  symbols = _openSsl(sslNames, cryptoNames);
  return symbols;
}

/**
 * Open libcrypto from the first of `cryptoNames`, then libssl from
 * `sslNames`, and bind the table.
 *
 * @throws {Error} naming what to install when a library does not open.
 * @internal
 */
export function _openSsl(
  sslNames: string[],
  cryptoNames: string[],
): SslSymbols {
  const cryptoTable = split("crypto");
  const sslTable = split("ssl");
  // libcrypto first: libssl needs it. A library that opened stays open
  // when the other fails (closing it is not possible on every runtime,
  // and a second try reuses it).
  const crypto = bigintResults(
    cryptoTable,
    open("libcrypto", cryptoNames, cryptoTable),
  );
  const ssl = bigintResults(sslTable, open("libssl", sslNames, sslTable));
  return { ...ssl, ...crypto } as SslSymbols;
}

/** Whether libssl has been loaded (for tests of the lazy load). @internal */
export function _libsslLoaded(): boolean {
  return symbols !== null;
}

/**
 * Live native objects we allocated, for leak tests: each counter goes up on
 * allocation and down on free.
 * @internal
 */
export const _live = { ctx: 0, ssl: 0, bio: 0 };

const dec = new TextDecoder();

/** A NUL-terminated C string as a JS string ("" for NULL). @internal */
export function cstr(ptr: Pointer): string {
  return ptr === null ? "" : cStringAt(ptr);
}

/** `text` as a NUL-terminated buffer for a `buffer` parameter. @internal */
export function cbuf(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text + "\0");
  return bytes;
}

/** `len` bytes at `ptr`, copied. @internal */
export function bytesAt(ptr: Pointer, len: number): Uint8Array {
  return new Uint8Array(viewAt(ptr, len).slice(0));
}

/** Decode UTF-8 `bytes`. @internal */
export function utf8(bytes: Uint8Array): string {
  return dec.decode(bytes);
}
