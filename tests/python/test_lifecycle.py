"""Connections come and go without leaking threads or file descriptors."""

import gc

import rtckit
from conftest import exchange, open_pair, resource_counts, run

CYCLES = 100


def test_connect_close_cycles_do_not_leak_threads_or_fds():
    async def cycle():
        a, b, ch, remote = await open_pair()
        assert await exchange(ch, remote, ["ping"]) == ["ping"]
        await a.close()
        await b.close()

    async def main():
        await cycle()  # warm up the runtime's worker threads
        gc.collect()
        threads0, fds0 = resource_counts()
        for _ in range(CYCLES):
            await cycle()
        gc.collect()
        threads1, fds1 = resource_counts()
        assert threads1 - threads0 <= 8, (threads0, threads1)
        assert fds1 - fds0 <= 16, (fds0, fds1)

    run(main(), timeout=240)
