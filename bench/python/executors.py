"""Executor benchmarks on Python asyncio (or uvloop with --uvloop), the
counterparts of bench/executors.ts; one JSON line each.

Usage: /usr/bin/python3.11 bench/python/executors.py [--uvloop] [-n N] [--jobs J]
       [--only to_thread|fib_pool]
"""
import asyncio
import concurrent.futures
import json
import sys
import time

N = int(sys.argv[sys.argv.index("-n") + 1]) if "-n" in sys.argv else 10_000
JOBS = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 200
FIB = 27
IMPL = "uvloop" if "--uvloop" in sys.argv else "asyncio"
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def square(n):
    return n * n


def line(**o):
    print(json.dumps({"runtime": "python", "impl": IMPL, **o}))


async def to_thread():
    await asyncio.to_thread(square, 1)
    t0 = time.perf_counter()
    for i in range(N):
        await asyncio.to_thread(square, i)
    s = time.perf_counter() - t0
    line(bench="to_thread", n=N, seconds=s, us=s / N * 1e6)


async def fib_pool(kind, workers):
    cls = (concurrent.futures.ThreadPoolExecutor if kind == "thread"
           else concurrent.futures.ProcessPoolExecutor)
    loop = asyncio.get_running_loop()
    with cls(max_workers=workers) as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, fib, 1) for _ in range(workers)))
        t0 = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(pool, fib, FIB) for _ in range(JOBS)))
        return time.perf_counter() - t0


async def main():
    if ONLY in (None, "to_thread"):
        await to_thread()
    for kind in () if ONLY == "to_thread" else ("thread", "process"):
        one = await fib_pool(kind, 1)
        two = await fib_pool(kind, 2)
        line(bench="fib_pool", kind=kind, n=JOBS, seconds1=one, seconds2=two,
             speedup=one / two)


if __name__ == "__main__":
    if IMPL == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(main())
