"""The canonical workloads on Python asyncio (or uvloop with --uvloop).

Usage: /usr/bin/python3.11 bench/python/workloads.py <workload> [--uvloop] [-n N]
Prints one JSON line. Definitions: shared/bench/WORKLOADS.md.
"""
import asyncio
import json
import sys
import time

DEFAULT_N = {
    "callbacks": 1_000_000,
    "sleep0": 1_000_000,
    "spawn": 100_000,
    "pingpong": 500_000,
    "queue": 1_000_000,
    "timers": 200_000,
    "lock": 10_000,
}


def mulberry_delays_ms(n, seed=12345):
    out = []
    a = seed & 0xFFFFFFFF
    for _ in range(n):
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        t &= 0xFFFFFFFF
        out.append(((t ^ (t >> 14)) & 0xFFFFFFFF) / 2**32 * 50)
    return out


def callbacks(loop, n):
    count = 0
    chain_done = loop.create_future()

    def chain_cb():
        nonlocal count
        count += 1
        if count < n:
            loop.call_soon(chain_cb)
        else:
            chain_done.set_result(None)

    t0 = time.perf_counter()
    loop.call_soon(chain_cb)
    loop.run_until_complete(chain_done)
    chain = time.perf_counter() - t0

    done = 0
    batch_done = loop.create_future()

    def batch_cb():
        nonlocal done
        done += 1
        if done == n:
            batch_done.set_result(None)

    t0 = time.perf_counter()
    for _ in range(n):
        loop.call_soon(batch_cb)
    loop.run_until_complete(batch_done)
    batch = time.perf_counter() - t0
    return {"chain_s": chain, "chain_per_s": n / chain, "batch_s": batch, "batch_per_s": n / batch}


def sleep0(loop, n):
    async def main():
        for _ in range(n):
            await asyncio.sleep(0)

    coro = main()
    t0 = time.perf_counter()
    loop.run_until_complete(coro)
    s = time.perf_counter() - t0
    return {"elapsed_s": s, "switches_per_s": n / s}


def spawn(loop, n):
    async def work(i):
        await asyncio.sleep(0)
        return i

    async def main():
        tasks = [asyncio.create_task(work(i)) for i in range(n)]
        return await asyncio.gather(*tasks)

    coro = main()
    t0 = time.perf_counter()
    results = loop.run_until_complete(coro)
    s = time.perf_counter() - t0
    assert sum(results) == n * (n - 1) // 2
    return {"elapsed_s": s, "tasks_per_s": n / s}


def pingpong(loop, n):
    async def main():
        q1 = asyncio.Queue(maxsize=1)
        q2 = asyncio.Queue(maxsize=1)

        async def ping():
            for i in range(n):
                await q1.put(i)
                assert await q2.get() == i

        async def pong():
            for _ in range(n):
                await q2.put(await q1.get())

        await asyncio.gather(ping(), pong())

    coro = main()
    t0 = time.perf_counter()
    loop.run_until_complete(coro)
    s = time.perf_counter() - t0
    return {"elapsed_s": s, "round_trips_per_s": n / s}


def queue(loop, n):
    async def main():
        q = asyncio.Queue(maxsize=100)

        async def producer():
            for i in range(n):
                await q.put(i)

        async def consumer():
            s = 0
            for _ in range(n):
                s += await q.get()
            return s

        _, s = await asyncio.gather(producer(), consumer())
        return s

    coro = main()
    t0 = time.perf_counter()
    total = loop.run_until_complete(coro)
    s = time.perf_counter() - t0
    assert total == n * (n - 1) // 2
    return {"elapsed_s": s, "items_per_s": n / s}


def timers(loop, n):
    delays = [d / 1000 for d in mulberry_delays_ms(n)]
    fired = 0
    done = loop.create_future()

    def cb():
        nonlocal fired
        fired += 1
        if fired == n:
            done.set_result(None)

    t0 = time.perf_counter()
    for d in delays:
        loop.call_later(d, cb)
    t1 = time.perf_counter()
    loop.run_until_complete(done)
    s = time.perf_counter() - t0
    return {"schedule_s": t1 - t0, "elapsed_s": s, "timers_per_s": n / s}


def lock(loop, per_task):
    tasks = 100
    held = 0

    async def main():
        lk = asyncio.Lock()

        async def worker():
            nonlocal held
            for _ in range(per_task):
                async with lk:
                    held += 1
                    await asyncio.sleep(0)

        await asyncio.gather(*(worker() for _ in range(tasks)))

    coro = main()
    t0 = time.perf_counter()
    loop.run_until_complete(coro)
    s = time.perf_counter() - t0
    assert held == tasks * per_task
    return {"elapsed_s": s, "acquisitions_per_s": held / s, "tasks": tasks}


WORKLOADS = {
    "callbacks": callbacks,
    "sleep0": sleep0,
    "spawn": spawn,
    "pingpong": pingpong,
    "queue": queue,
    "timers": timers,
    "lock": lock,
}


def main(argv):
    if not argv or argv[0] not in WORKLOADS:
        sys.exit(f"usage: workloads.py <{'|'.join(WORKLOADS)}> [--uvloop] [-n N]")
    name = argv[0]
    use_uvloop = "--uvloop" in argv
    n = DEFAULT_N[name]
    if "-n" in argv:
        n = int(argv[argv.index("-n") + 1])
    if use_uvloop:
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    fields = WORKLOADS[name](loop, n)
    loop.close()
    print(json.dumps({
        "bench": name,
        "impl": "uvloop" if use_uvloop else "asyncio",
        "runtime": "python" + ".".join(map(str, sys.version_info[:2])),
        "n": n,
        **fields,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
