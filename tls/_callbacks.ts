/**
 * The libssl callbacks of a context, as native callbacks of the runtime
 * (`poll/_callback.ts`): ALPN selection and the server-name (SNI) hook.
 * libssl calls them synchronously inside `SSL_do_handshake`, on the JS
 * thread.
 *
 * @module
 */

import { nativeCallback } from "../poll/_callback.ts";
import { addressOfPointer, viewAt } from "../poll/_pointer.ts";
import { cstr, libssl, type Pointer } from "./_libssl.ts";

const TLSEXT_ERR_OK = 0;
const TLSEXT_ERR_ALERT_FATAL = 2;
const TLSEXT_ERR_NOACK = 3;

/** What a context keeps to close with it. @internal */
export type { NativeCallback as Closable } from "../poll/_callback.ts";
import type { NativeCallback as Closable } from "../poll/_callback.ts";

/**
 * The index in `offered` (ALPN wire format) of the length byte of the first
 * of `ours` the client offers, or -1: the server's preference wins.
 * @internal
 */
export function selectAlpn(ours: Uint8Array, offered: Uint8Array): number {
  for (let i = 0; i < ours.length; i += 1 + ours[i]) {
    const name = ours.subarray(i + 1, i + 1 + ours[i]);
    for (let j = 0; j < offered.length; j += 1 + offered[j]) {
      if (offered[j] !== name.length) continue;
      const cand = offered.subarray(j + 1, j + 1 + offered[j]);
      if (cand.every((b, k) => b === name[k])) return j;
    }
  }
  return -1;
}

/**
 * `SSL_CTX_set_alpn_select_cb`'s callback over `protocols()` (wire format,
 * null for none).
 * @internal
 */
export function alpnSelectCallback(
  protocols: () => Uint8Array | null,
): Closable {
  return nativeCallback(
    {
      parameters: [
        "pointer",
        "pointer",
        "pointer",
        "pointer",
        "u32",
        "pointer",
      ],
      result: "i32",
    },
    (
      _ssl: Pointer,
      out: Pointer,
      outlen: Pointer,
      input: Pointer,
      inlen: number,
    ) => {
      const wire = protocols();
      if (!wire || input === null || out === null || outlen === null) {
        return TLSEXT_ERR_NOACK;
      }
      const offered = new Uint8Array(viewAt(input, inlen));
      const pick = selectAlpn(wire, offered);
      if (pick < 0) return TLSEXT_ERR_NOACK;
      // *out points into the client's list, which libssl copies from.
      new BigUint64Array(viewAt(out, 8))[0] = addressOfPointer(input) +
        BigInt(pick + 1);
      new Uint8Array(viewAt(outlen, 1))[0] = offered[pick];
      return TLSEXT_ERR_OK;
    },
  );
}

/**
 * The server-name callback (`SSL_CTX_set_tlsext_servername_callback`):
 * `handler(ssl, name)` returns null to go on or a TLS alert to refuse.
 * @internal
 */
export function serverNameCallback(
  handler: (ssl: Pointer, name: string | null) => number | null,
): Closable {
  return nativeCallback(
    { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
    (ssl: Pointer, al: Pointer) => {
      const name = cstr(libssl().SSL_get_servername(ssl, 0));
      const alert = handler(ssl, name === "" ? null : name);
      if (alert === null) return TLSEXT_ERR_OK;
      if (al !== null) {
        new Int32Array(viewAt(al, 4))[0] = alert;
      }
      return TLSEXT_ERR_ALERT_FATAL;
    },
  );
}
