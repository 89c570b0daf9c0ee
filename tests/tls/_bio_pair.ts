/**
 * A client and a server SSLObject over four memory BIOs, pumped by hand
 * (no `Deno.*`: the Node/Bun TLS smoke program uses it too).
 *
 * @module
 */

import type { SSLContext } from "../../tls/context.ts";
import { MemoryBIO } from "../../tls/memory_bio.ts";
import type { SSLObject } from "../../tls/ssl_object.ts";

/** Both ends and their BIOs (`ci`: the client's incoming, ...). */
export interface BioPair {
  c: SSLObject;
  s: SSLObject;
  ci: MemoryBIO;
  co: MemoryBIO;
  si: MemoryBIO;
  so: MemoryBIO;
  /** Free both objects and the four BIOs (not the contexts). */
  free(): void;
}

/** A client of `cctx` for `host` and a server of `sctx`. */
export function bioPair(
  cctx: SSLContext,
  sctx: SSLContext,
  host: string,
): BioPair {
  const bios = [
    new MemoryBIO(),
    new MemoryBIO(),
    new MemoryBIO(),
    new MemoryBIO(),
  ];
  const [ci, co, si, so] = bios;
  const c = cctx.wrapBio(ci, co, { serverHostname: host });
  const s = sctx.wrapBio(si, so, { serverSide: true });
  const free = () => {
    c.free();
    s.free();
    for (const b of bios) b.free();
  };
  return { c, s, ci, co, si, so, free };
}
