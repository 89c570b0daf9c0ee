/**
 * The transport an application protocol sees over TLS: writes are
 * encrypted, `close()` sends `close_notify` first. A thin face over the
 * SSL protocol, which holds all state (asyncio's `_SSLProtocolTransport`).
 *
 * @module
 */

import { RuntimeError } from "../futures/errors.ts";
import type { BaseProtocol, Transport } from "../net/types.ts";
import * as tlsKeys from "./_keys.ts";

// The keys as this module's own consts: V8 folds a module's const into a
// symbol-keyed access, not an imported binding (2-3x slower when measured).
const _abort: typeof tlsKeys._abort = tlsKeys._abort;
const _appProtocol: typeof tlsKeys._appProtocol = tlsKeys._appProtocol;
const _closed: typeof tlsKeys._closed = tlsKeys._closed;
const _getExtraInfo: typeof tlsKeys._getExtraInfo = tlsKeys._getExtraInfo;
const _getWriteBufferLimits: typeof tlsKeys._getWriteBufferLimits =
  tlsKeys._getWriteBufferLimits;
const _getWriteBufferSize: typeof tlsKeys._getWriteBufferSize =
  tlsKeys._getWriteBufferSize;
const _isReading: typeof tlsKeys._isReading = tlsKeys._isReading;
const _pauseReading: typeof tlsKeys._pauseReading = tlsKeys._pauseReading;
const _resumeReading: typeof tlsKeys._resumeReading = tlsKeys._resumeReading;
const _setAppProtocol: typeof tlsKeys._setAppProtocol = tlsKeys._setAppProtocol;
const _setWriteBufferLimits: typeof tlsKeys._setWriteBufferLimits =
  tlsKeys._setWriteBufferLimits;
const _startShutdown: typeof tlsKeys._startShutdown = tlsKeys._startShutdown;
const _writeAppdata: typeof tlsKeys._writeAppdata = tlsKeys._writeAppdata;

/** What the app transport needs from the SSL protocol. @internal */
export interface SSLTransportOwner {
  [_getExtraInfo](name: string, defaultValue?: unknown): unknown;
  [_startShutdown](): void;
  [_abort](): void;
  [_appProtocol](): BaseProtocol;
  [_setAppProtocol](p: BaseProtocol): void;
  [_isReading](): boolean;
  [_pauseReading](): void;
  [_resumeReading](): void;
  [_setWriteBufferLimits](high?: number, low?: number): void;
  [_getWriteBufferLimits](): [number, number];
  [_getWriteBufferSize](): number;
  [_writeAppdata](list: Uint8Array[]): void;
}

/**
 * The application side of a TLS connection (what `startTls` resolves to and
 * what `connectionMade` receives over TLS).
 * @internal
 */
export class SSLTransport implements Transport {
  #owner: SSLTransportOwner;
  /** Set when closing or closed. @internal */
  [_closed] = false;
  #closedByApp = false;

  /** @internal */
  constructor(owner: SSLTransportOwner) {
    this.#owner = owner;
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return this.#owner[_getExtraInfo](name, defaultValue);
  }

  isClosing(): boolean {
    return this[_closed];
  }

  /** Send `close_notify` after buffered data, then close the transport. */
  close(): void {
    if (this[_closed]) return;
    this[_closed] = true;
    this.#closedByApp = true;
    this.#owner[_startShutdown]();
  }

  /** Close at once, without `close_notify`; buffered data is lost. */
  abort(): void {
    this[_closed] = true;
    this.#closedByApp = true;
    this.#owner[_abort]();
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#owner[_setAppProtocol](protocol);
  }

  getProtocol(): BaseProtocol {
    return this.#owner[_appProtocol]();
  }

  isReading(): boolean {
    return !this[_closed] && this.#owner[_isReading]();
  }

  pauseReading(): void {
    this.#owner[_pauseReading]();
  }

  resumeReading(): void {
    this.#owner[_resumeReading]();
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#owner[_setWriteBufferLimits](high, low);
  }

  getWriteBufferLimits(): [low: number, high: number] {
    return this.#owner[_getWriteBufferLimits]();
  }

  /** Bytes not yet handed to the underlying transport (plain + encrypted). */
  getWriteBufferSize(): number {
    return this.#owner[_getWriteBufferSize]();
  }

  /**
   * Encrypt and send `data`.
   *
   * @throws {RuntimeError} after `close()`/`abort()` (as the socket
   *   transports; after the peer closed or the connection was lost, writes
   *   are dropped as asyncio does).
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot write: data must be a Uint8Array, got ${typeof data}`,
      );
    }
    this.#checkWritable();
    if (data.length === 0) return;
    this.#owner[_writeAppdata]([data]);
  }

  writelines(list: Iterable<Uint8Array>): void {
    const all = [...list];
    for (const d of all) {
      if (!(d instanceof Uint8Array)) {
        throw new TypeError("Cannot write: every buffer must be a Uint8Array");
      }
    }
    this.#checkWritable();
    this.#owner[_writeAppdata](all.filter((d) => d.length > 0));
  }

  /**
   * TLS has no half-close.
   *
   * @throws {Error} always (as asyncio's `NotImplementedError`).
   */
  writeEof(): void {
    throw new Error(
      "Cannot write EOF: TLS has no half-close, use close() to send close_notify",
    );
  }

  canWriteEof(): boolean {
    return false;
  }

  #checkWritable(): void {
    if (this.#closedByApp) {
      throw new RuntimeError(
        "Cannot write: the transport is closing, write before close()",
      );
    }
  }
}
