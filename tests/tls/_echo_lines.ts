/**
 * The server side of the line-echo tests (no `Deno.*`: the Node/Bun TLS
 * smoke program uses it too): each line back until EOF, then close.
 *
 * @module
 */

import type { StreamReader } from "../../net/stream_reader.ts";
import type { StreamWriter } from "../../net/stream_writer.ts";

/** Echo lines from `reader` to `writer` until EOF, then close. */
export function* echoLines(
  reader: StreamReader,
  writer: StreamWriter,
): Generator<unknown, void, unknown> {
  for (;;) {
    const line = yield* reader.readline();
    if (line.length === 0) break;
    writer.write(line);
    yield* writer.drain();
  }
  writer.close();
}
