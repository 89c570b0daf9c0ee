/**
 * Networking: transports and protocols (asyncio's), streams
 * (`StreamReader`/`StreamWriter`) and their Web Streams adapters.
 *
 * @module
 */

export * from "./types.ts";
export * from "./stream_errors.ts";
export * from "./stream_reader.ts";
export * from "./stream_writer.ts";
export * from "./stream_protocol.ts";
export * from "./web_streams.ts";
