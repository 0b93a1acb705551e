"""Connections come and go without leaking threads or file descriptors."""

import asyncio
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


def test_events_arrive_on_a_loop_without_add_reader():
    """Windows' default (proactor) loop cannot watch a descriptor: the event hub then reads
    its wakes in a task (events.py). Here a selector loop that refuses add_reader stands in."""

    class NoReaderLoop(asyncio.SelectorEventLoop):
        def add_reader(self, *args, **kwargs):
            raise NotImplementedError

    async def main():
        a, b, channel, remote = await open_pair()
        assert rtckit.events.hub._watcher is not None, "the hub did not take the task path"
        assert await exchange(channel, remote, ["one", b"two"]) == ["one", b"two"]
        await a.close()
        await b.close()

    with asyncio.Runner(loop_factory=NoReaderLoop) as runner:
        runner.run(asyncio.wait_for(main(), 60))
