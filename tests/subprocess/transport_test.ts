import assert from "node:assert/strict";
import {
  type EventLoop,
  getRunningLoop,
  ProcessLookupError,
  run,
} from "../../mod.ts";
import type { SubprocessProtocol, SubprocessTransport } from "../../mod.ts";
import { test } from "../poll/_helpers.ts";
import { bytes, text } from "./_helpers.ts";

/** Records every call, in order; `lost` resolves at connectionLost. */
class Recorder implements SubprocessProtocol {
  events: string[] = [];
  out: Record<number, string> = { 1: "", 2: "" };
  lost;
  transport: SubprocessTransport | null = null;
  constructor(loop: EventLoop) {
    this.lost = loop.createFuture<Error | null>();
  }
  connectionMade(t: SubprocessTransport): void {
    this.transport = t;
    this.events.push("made");
  }
  pipeDataReceived(fd: number, data: Uint8Array): void {
    this.out[fd] += text(data);
  }
  pipeConnectionLost(fd: number): void {
    this.events.push(`pipe${fd} lost`);
  }
  processExited(): void {
    this.events.push(`exited ${this.transport!.getReturncode()}`);
  }
  connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
}

test("loop.subprocessExec() drives the protocol: made, data, pipes lost, exited, then lost (generator form)", async () => {
  const p = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [t, p] = yield* loop.subprocessExec(
      () => new Recorder(loop),
      "sh",
      ["-c", "read x; echo got $x; echo oops >&2; exit 4"],
    );
    assert.equal(p.transport, t);
    assert.ok(t.getPid() > 0);
    assert.equal(t.getReturncode(), null);
    const stdin = t.getPipeTransport(0) as {
      write(d: Uint8Array): void;
      close(): void;
    };
    stdin.write(bytes("hello\n"));
    stdin.close();
    assert.equal(yield* p.lost, null);
    assert.equal(t.getReturncode(), 4);
    t.close();
    return p;
  });
  assert.deepEqual(p.out, { 1: "got hello\n", 2: "oops\n" });
  assert.equal(p.events[0], "made");
  assert.equal(p.events.at(-1), "lost");
  assert.deepEqual(
    [...p.events].sort(),
    ["exited 4", "lost", "made", "pipe0 lost", "pipe1 lost", "pipe2 lost"],
  );
});

test("loop.subprocessShell() with inherited stdio has no pipe transports (async form)", async () => {
  const got = await run(async () => {
    const loop = getRunningLoop() as EventLoop;
    const [t, p] = await loop.subprocessShell(
      () => new Recorder(loop),
      "exit 0",
      { stdin: null, stdout: null, stderr: null },
    );
    assert.equal(t.getPipeTransport(0), null);
    assert.equal(t.getPipeTransport(1), null);
    await p.lost;
    t.close();
    return p.events;
  });
  assert.deepEqual(got, ["made", "exited 0", "lost"]);
});

test("SubprocessTransport.close() kills a running child and it is still reaped", async () => {
  const got = await run(function* () {
    const loop = getRunningLoop() as EventLoop;
    const [t, p] = yield* loop.subprocessExec(
      () => new Recorder(loop),
      "sleep",
      ["10"],
    );
    t.close();
    assert.equal(t.isClosing(), true);
    yield* p.lost;
    assert.throws(() => t.kill(), ProcessLookupError);
    return t.getReturncode();
  });
  assert.equal(got, -9);
});
