/**
 * The examples of Python's asyncio-subprocess documentation, ported line by
 * line: run a shell command and show its output (`ls /zzz`); several at once
 * with `gather`; read one line from a child runtime (`sys.executable -c`
 * becomes `Deno.execPath() eval`, which needs `--allow-read` for the path).
 *
 * `deno run --allow-ffi --allow-read examples/subprocess.ts`
 *
 * @module
 */

import {
  createSubprocessExec,
  createSubprocessShell,
  gather,
  PIPE,
  run,
} from "../mod.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

// async def run(cmd):
async function runCmd(cmd: string): Promise<void> {
  // proc = await asyncio.create_subprocess_shell(cmd, stdout=PIPE, stderr=PIPE)
  const proc = await createSubprocessShell(cmd, { stdout: PIPE, stderr: PIPE });
  // stdout, stderr = await proc.communicate()
  const [stdout, stderr] = await proc.communicate();
  // print(f'[{cmd!r} exited with {proc.returncode}]')
  console.log(`[${JSON.stringify(cmd)} exited with ${proc.returncode}]`);
  // if stdout: print(f'[stdout]\n{stdout.decode()}')
  if (stdout!.length > 0) console.log(`[stdout]\n${decode(stdout!)}`);
  // if stderr: print(f'[stderr]\n{stderr.decode()}')
  if (stderr!.length > 0) console.log(`[stderr]\n${decode(stderr!)}`);
}

// async def get_date():
function* getDate(): Generator<unknown, string, unknown> {
  // code = 'import datetime; print(datetime.datetime.now())'
  const code = "console.log(new Date().toISOString())";
  // proc = await asyncio.create_subprocess_exec(sys.executable, '-c', code, stdout=PIPE)
  const proc = yield* createSubprocessExec(Deno.execPath(), ["eval", code], {
    stdout: PIPE,
  });
  // data = await proc.stdout.readline()
  const data = yield* proc.stdout!.readline();
  // line = data.decode('ascii').rstrip()
  const line = decode(data).trimEnd();
  // await proc.wait()
  yield* proc.wait();
  return line;
}

/** Run the three examples in turn. */
export async function subprocessExamples(): Promise<void> {
  // asyncio.run(run('ls /zzz'))
  await run(() => runCmd("ls /zzz"));
  // async def main(): await asyncio.gather(run('ls /zzz'), run('sleep 1; echo "hello"'))
  await run(async () => {
    await gather(runCmd("ls /zzz"), runCmd('sleep 1; echo "hello"'));
  });
  // date = asyncio.run(get_date()); print(f"Current date: {date}")
  const date = await run(getDate);
  console.log(`Current date: ${date}`);
}

if (import.meta.main) await subprocessExamples();
