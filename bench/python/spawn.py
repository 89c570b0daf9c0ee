"""Spawn + wait of /bin/true with asyncio (or uvloop with --uvloop).

usage: spawn.py --mode seq-inherit|seq-pipe|conc-inherit|conc-pipe [-n 500] [--uvloop]
Prints one JSON line (bench "subprocess", impl, mode, n, seconds, per_sec).
"""
import asyncio
import json
import resource
import sys
import time

CONCURRENCY = 20


def arg(name, default):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


async def one(pipes):
    if pipes:
        proc = await asyncio.create_subprocess_exec(
            "/bin/true", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        await proc.communicate()
    else:
        proc = await asyncio.create_subprocess_exec("/bin/true")
        await proc.wait()
    assert proc.returncode == 0


async def main(mode, n):
    pipes = mode.endswith("pipe")
    workers = CONCURRENCY if mode.startswith("conc") else 1

    async def worker(count):
        for _ in range(count):
            await one(pipes)

    c0 = cpu_ns()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n // workers) for _ in range(workers)))
    return time.perf_counter() - t0, cpu_ns() - c0


def cpu_ns():
    """CPU time of this process's threads so far, children excluded."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return int((ru.ru_utime + ru.ru_stime) * 1e9)


mode = arg("--mode", "seq-inherit")
n = int(arg("-n", "500"))
if "--uvloop" in sys.argv:
    import uvloop

    impl = "uvloop"
    uvloop.install()  # uvloop 0.17 has no uvloop.run()
    secs, cpu = asyncio.run(main(mode, n))
else:
    impl = "asyncio"
    secs, cpu = asyncio.run(main(mode, n))
print(json.dumps({"bench": "subprocess", "impl": impl, "mode": mode, "n": n,
                  "seconds": secs, "per_sec": n / secs,
                  "cpu_us_per_spawn": cpu / 1000 / n}))
