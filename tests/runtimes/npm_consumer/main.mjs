// A consumer of the installed package, run by `node` and `bun` in a fresh
// project: imports it by name (ESM), runs a TCP echo round trip over the
// streams API and a task cancellation, and prints one JSON line.
import {
  CancelledError,
  createTask,
  openConnection,
  run,
  sleep,
  startServer,
} from "@seed/asyncio";
import { DefaultSelector } from "@seed/asyncio/selectors";

const result = await run(async () => {
  const server = await startServer(
    async (reader, writer) => {
      writer.write(await reader.readline());
      await writer.drain();
      writer.close();
      await writer.waitClosed();
    },
    "127.0.0.1",
    0,
  );
  const [, port] = server.sockets[0].getsockname();
  const [reader, writer] = await openConnection("127.0.0.1", port);
  writer.write(new TextEncoder().encode("ping\n"));
  const echoed = new TextDecoder().decode(await reader.readline());
  writer.close();
  await writer.waitClosed();
  server.close();
  await server.waitClosed();

  const sleeper = createTask(sleep(30));
  await sleep(0.01);
  sleeper.cancel("stop");
  let cancelled = "";
  try {
    await sleeper;
  } catch (e) {
    if (e instanceof CancelledError) cancelled = e.message;
  }
  return { echoed, cancelled };
});

const selector = new DefaultSelector();
selector.close();
console.log(JSON.stringify({ ...result, selector: selector.constructor.name }));
