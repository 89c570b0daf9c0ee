/**
 * Web Streams over our streams: a `StreamReader` as a
 * `ReadableStream<Uint8Array>` and a `StreamWriter` as a
 * `WritableStream<Uint8Array>`, with backpressure both ways, so a
 * connection pipes into `TextDecoderStream`, `CompressionStream`,
 * `Response` bodies and `fetch` uploads, and Deno's streams pipe into it.
 *
 * Backpressure: the readable reads from the reader only when its consumer
 * asks (a high-water mark of 0), so unread bytes stay in the reader, which
 * pauses the transport past twice its limit; the writable's `write()`
 * resolves only once `drain()` says the transport's buffer is under its
 * high-water mark, so `pipeTo()` waits for the peer.
 *
 * Both run on our loop: use them from a coroutine run by `run()` (an async
 * function awaiting `pipeTo()` keeps the loop serving the connection).
 *
 * @module
 */

import type { StreamReader } from "./stream_reader.ts";
import type { StreamWriter } from "./stream_writer.ts";

/**
 * Options of {@linkcode toReadableStream}.
 *
 * @example
 * ```ts
 * import type { ToReadableStreamOptions } from "./web_streams.ts";
 * const options: ToReadableStreamOptions = { chunkSize: 16384 };
 * console.log(options.chunkSize);
 * ```
 */
export interface ToReadableStreamOptions {
  /** The most bytes per chunk; default the reader's limit. */
  chunkSize?: number;
}

/**
 * A `ReadableStream` of the bytes `reader` reads, ending at EOF; a read
 * error errors the stream. Cancelling the stream stops reading (close the
 * writer to close the connection).
 *
 * @param reader The reader to read from; read it only through the stream.
 * @param options The chunk size.
 * @returns The stream.
 * @throws {RangeError} if `chunkSize` is not a positive integer.
 *
 * @example Decoding a reader's bytes as text
 * ```ts
 * import { run, StreamReader, toReadableStream } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const text = await run(async () => {
 *   const reader = new StreamReader();
 *   reader.feedData(new TextEncoder().encode("héllo"));
 *   reader.feedEof();
 *   let out = "";
 *   const chunks = toReadableStream(reader).pipeThrough(new TextDecoderStream());
 *   for await (const s of chunks) out += s;
 *   return out;
 * });
 * assert.equal(text, "héllo");
 * ```
 */
export function toReadableStream(
  reader: StreamReader,
  options?: ToReadableStreamOptions,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const size = options?.chunkSize ?? reader.limit;
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new RangeError(
      `Cannot make a ReadableStream: chunkSize must be a positive integer, got ${size}`,
    );
  }
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      // Typed for Web APIs (CompressionStream takes ArrayBuffer-backed
      // chunks): what transports deliver always is.
      const chunk = await reader.read(size) as Uint8Array<ArrayBuffer>;
      if (chunk.length === 0) controller.close();
      else controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/**
 * Options of {@linkcode toWritableStream}.
 *
 * @example
 * ```ts
 * import type { ToWritableStreamOptions } from "./web_streams.ts";
 * const options: ToWritableStreamOptions = { close: "close" };
 * console.log(options.close);
 * ```
 */
export interface ToWritableStreamOptions {
  /**
   * What closing the stream does: `"eof"` (the default) half-closes with
   * `writeEof()` where the transport can, so the peer's answer can still be
   * read; `"close"` closes the connection and waits until it is closed.
   */
  close?: "eof" | "close";
}

/**
 * A `WritableStream` whose chunks `writer` writes; each `write()` resolves
 * once `drain()` does. Closing half-closes (or closes) the connection;
 * aborting aborts it.
 *
 * @param writer The writer to write with.
 * @param options What closing does.
 * @returns The stream.
 *
 * @example Piping text into a connection (here a test pair of streams)
 * ```ts
 * import { toWritableStream, type StreamWriter } from "../mod.ts";
 * function sendText(writer: StreamWriter, text: string): Promise<void> {
 *   return ReadableStream.from([text])
 *     .pipeThrough(new TextEncoderStream())
 *     .pipeTo(toWritableStream(writer));
 * }
 * console.log(typeof sendText);
 * ```
 */
export function toWritableStream(
  writer: StreamWriter,
  options?: ToWritableStreamOptions,
): WritableStream<Uint8Array> {
  const mode = options?.close ?? "eof";
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(
          `Cannot write to a StreamWriter: chunks must be Uint8Array, got ${typeof chunk}`,
        );
      }
      writer.write(chunk);
      await writer.drain();
    },
    async close() {
      if (mode === "eof" && writer.canWriteEof()) {
        writer.writeEof();
        return;
      }
      writer.close();
      await writer.waitClosed();
    },
    abort() {
      writer.transport.abort();
    },
  });
}
