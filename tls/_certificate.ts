/**
 * Decoding an X509 certificate into the dictionary Python's `getpeercert()`
 * returns (subject, issuer, version, serial number, validity, subject
 * alternative names), and its DER form.
 *
 * @module
 */

import { addressOf, pointerAt, viewAt } from "../poll/_pointer.ts";
import { bytesAt, cstr, libssl, type Pointer, utf8 } from "./_libssl.ts";

/** A relative distinguished name: `[[attribute, value], ...]`. */
export type RDN = [name: string, value: string][];

/** The decoded peer certificate, with Python's keys. */
export interface PeerCertificate {
  /** The subject, e.g. `[[["commonName", "localhost"]]]`. */
  subject?: RDN[];
  /** The issuer. */
  issuer?: RDN[];
  /** The X509 version (3 for v3). */
  version?: number;
  /** The serial number in upper-case hex. */
  serialNumber?: string;
  /** Start of validity, e.g. `"Jan  1 00:00:00 2026 GMT"`. */
  notBefore?: string;
  /** End of validity. */
  notAfter?: string;
  /** `[["DNS", "localhost"], ["IP Address", "127.0.0.1"], ...]`. */
  subjectAltName?: [kind: string, value: string][];
}

const NID_SUBJECT_ALT_NAME = 85;
const GEN_EMAIL = 1;
const GEN_DNS = 2;
const GEN_URI = 6;
const GEN_IPADD = 7;

function asn1Bytes(str: Pointer): Uint8Array {
  const s = libssl();
  const len = s.ASN1_STRING_length(str);
  const data = s.ASN1_STRING_get0_data(str);
  return len <= 0 || data === null ? new Uint8Array(0) : bytesAt(data, len);
}

function decodeName(name: Pointer): RDN[] {
  const s = libssl();
  const out: RDN[] = [];
  if (name === null) return out;
  const n = s.X509_NAME_entry_count(name);
  for (let i = 0; i < n; i++) {
    const entry = s.X509_NAME_get_entry(name, i);
    if (entry === null) continue;
    const nid = s.OBJ_obj2nid(s.X509_NAME_ENTRY_get_object(entry));
    const data = s.X509_NAME_ENTRY_get_data(entry);
    const value = data === null ? "" : utf8(asn1Bytes(data));
    out.push([[cstr(s.OBJ_nid2ln(nid)), value]]);
  }
  return out;
}

function printTime(t: Pointer): string {
  const s = libssl();
  if (t === null) return "";
  const bio = s.BIO_new(s.BIO_s_mem());
  if (bio === null) return "";
  try {
    s.ASN1_TIME_print(bio, t);
    const buf = new Uint8Array(64);
    const n = s.BIO_read(bio, buf, buf.length);
    return n > 0 ? utf8(buf.subarray(0, n)) : "";
  } finally {
    s.BIO_free(bio);
  }
}

function serialHex(cert: Pointer): string {
  const s = libssl();
  const bn = s.ASN1_INTEGER_to_BN(s.X509_get_serialNumber(cert), null);
  if (bn === null) return "";
  try {
    const hex = s.BN_bn2hex(bn);
    if (hex === null) return "";
    const text = cstr(hex);
    s.CRYPTO_free(hex, null, 0);
    return text;
  } finally {
    s.BN_free(bn);
  }
}

function ipText(b: Uint8Array): string {
  if (b.length === 4) return b.join(".");
  const groups: string[] = [];
  for (let i = 0; i < b.length; i += 2) {
    groups.push(((b[i] << 8) | b[i + 1]).toString(16).toUpperCase());
  }
  // Python prints IPv6 SANs uncompressed, upper case, e.g. "0:0:0:0:0:0:0:1".
  return groups.join(":");
}

function altNames(cert: Pointer): [string, string][] | undefined {
  const s = libssl();
  const names = s.X509_get_ext_d2i(cert, NID_SUBJECT_ALT_NAME, null, null);
  if (names === null) return undefined;
  const out: [string, string][] = [];
  try {
    const n = s.OPENSSL_sk_num(names);
    for (let i = 0; i < n; i++) {
      const gn = s.OPENSSL_sk_value(names, i);
      if (gn === null) continue;
      // GENERAL_NAME: int type @0, union d (a pointer) @8.
      const type = new Int32Array(viewAt(gn, 4))[0];
      const d = pointerAt(gn, 8);
      if (d === null) continue;
      const value = asn1Bytes(d);
      if (type === GEN_DNS) out.push(["DNS", utf8(value)]);
      else if (type === GEN_IPADD) out.push(["IP Address", ipText(value)]);
      else if (type === GEN_EMAIL) out.push(["email", utf8(value)]);
      else if (type === GEN_URI) out.push(["URI", utf8(value)]);
    }
  } finally {
    s.GENERAL_NAMES_free(names);
  }
  return out;
}

/** Decode `cert` (an `X509 *`) as Python's `getpeercert()`. @internal */
export function decodeCertificate(cert: Pointer): PeerCertificate {
  const s = libssl();
  const out: PeerCertificate = {
    subject: decodeName(s.X509_get_subject_name(cert)),
    issuer: decodeName(s.X509_get_issuer_name(cert)),
    version: Number(s.X509_get_version(cert)) + 1,
    serialNumber: serialHex(cert),
    notBefore: printTime(s.X509_get0_notBefore(cert)),
    notAfter: printTime(s.X509_get0_notAfter(cert)),
  };
  const san = altNames(cert);
  if (san !== undefined) out.subjectAltName = san;
  return out;
}

/** The DER encoding of `cert`. @internal */
export function derOf(cert: Pointer): Uint8Array {
  const s = libssl();
  const none = new BigUint64Array(1);
  const len = s.i2d_X509(cert, new Uint8Array(none.buffer));
  if (len <= 0) return new Uint8Array(0);
  // With a NULL *out OpenSSL only measures; with a pointer to our buffer it
  // writes there (and advances the pointer, which we ignore).
  const out = new Uint8Array(len);
  const pp = new BigUint64Array([addressOf(out)]);
  s.i2d_X509(cert, new Uint8Array(pp.buffer));
  return out;
}
