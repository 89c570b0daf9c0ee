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

    # CPU at the half-way spawn too: the second half has no first-use costs.
    half = (n // workers * workers) // 2
    state = {"done": 0, "cpu_half": None}

    async def worker(count):
        for _ in range(count):
            await one(pipes)
            state["done"] += 1
            if state["done"] == half:
                state["cpu_half"] = cpu_ns()

    c0 = cpu_ns()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n // workers) for _ in range(workers)))
    secs = time.perf_counter() - t0
    c1 = cpu_ns()
    return secs, c1 - c0, (c1 - state["cpu_half"]) / (n - half)


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
    secs, cpu, cpu2 = asyncio.run(main(mode, n))
else:
    impl = "asyncio"
    secs, cpu, cpu2 = asyncio.run(main(mode, n))
print(json.dumps({"bench": "subprocess", "impl": impl, "mode": mode, "n": n,
                  "seconds": secs, "per_sec": n / secs,
                  "cpu_us_per_spawn": cpu / 1000 / n,
                  "cpu_us_per_spawn_2nd_half": cpu2 / 1000}))
