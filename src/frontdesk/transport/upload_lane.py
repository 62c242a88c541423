"""The upload lane's turns, shared fairly between orgs (transport/api_files.py).

Every step of every upload on a process (its checks, each chunk of its body) takes a turn in
one lane, paced so that chat keeps the event loop. With a plain first-come queue, an org whose
visitors send many files at once (a flood from many addresses, each within its own hourly
limits) had most of the turns, and another org's lone photo waited behind all of them. Here
the waiting steps queue per key (the org, once it is known) and the lane goes round the keys:
an org with one upload gets a turn for every turn of an org with twenty. Within a key, first
come, first served.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque


class FairLane:
    """A lane of `slots` (like asyncio.Semaphore), whose waiters are served round-robin by key."""

    __slots__ = ("_free", "_queues")

    def __init__(self, slots: int = 1) -> None:
        if slots < 1:
            raise ValueError("a lane needs at least one slot")
        self._free = slots
        # key -> its waiters, oldest first; the key served next is first in the dict.
        self._queues: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    @property
    def waiting(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def acquire(self, key: str) -> None:
        if self._free > 0 and not self._queues:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, deque()).append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the turn came as the waiter was cancelled: pass it on
            else:
                self._forget(key, future)
            raise

    def release(self) -> None:
        """Gives the slot to the next waiter, the next key round, or frees it."""
        while self._queues:
            key, queue = next(iter(self._queues.items()))
            future = queue.popleft()
            if queue:
                self._queues.move_to_end(key)  # its next step waits for the others' turns
            else:
                del self._queues[key]
            if not future.done():
                future.set_result(None)
                return
        self._free += 1

    def _forget(self, key: str, future: asyncio.Future[None]) -> None:
        queue = self._queues.get(key)
        if queue is None:
            return
        try:
            queue.remove(future)
        except ValueError:
            return
        if not queue:
            del self._queues[key]
