"""Group commit for the visitor socket's busiest writes (issue 21): requests submitted in the
same event-loop turn, or while a group is being written, go out together in the next group.

Under light load a group is one request; under heavy load the transaction, its commit and
each statement are shared by the group, so throughput grows instead of the queue. Groups are
written one after the other in the order their requests came, so what one socket (or one
visitor) submits is written in order. Nothing is answered before its group commits, and a
group that fails as a whole is written again one request at a time, so one bad row never
fails the others. Used for hellos (arrivals.py) and page views (page_views.py).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from frontdesk.runtime import Runtime

Request = TypeVar("Request")
Result = TypeVar("Result")


@dataclass(slots=True)
class _Waiting(Generic[Request, Result]):
    request: Request
    done: asyncio.Future[Result]


class GroupWriter(ABC, Generic[Request, Result]):
    # A group is bounded so one transaction stays short even when thousands of requests queue.
    max_group = 200

    def __init__(self) -> None:
        self._waiting: list[_Waiting[Request, Result]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Result:
        """Writes this request with the others of its group; raises the error that failed
        this request's own row."""
        loop = asyncio.get_running_loop()
        item: _Waiting[Request, Result] = _Waiting(request, loop.create_future())
        self._waiting.append(item)
        if self._writer is None:
            self._writer = loop.create_task(self._write_all())
        return await item.done

    async def finish(self) -> None:
        """Waits until every submitted request is written (shutdown)."""
        while self._writer is not None:
            await asyncio.wait([self._writer])

    @abstractmethod
    async def _write_group(self, group: list[Request]) -> list[Result | Exception]:
        """One transaction for the group: an outcome per request, in order."""

    async def _write_all(self) -> None:
        try:
            await asyncio.sleep(0)  # let the other requests of this loop turn join the group
            while self._waiting:
                size = self.max_group
                group, self._waiting = self._waiting[:size], self._waiting[size:]
                await self._write(group)
        finally:
            self._writer = None
            if self._waiting:
                self._writer = asyncio.get_running_loop().create_task(self._write_all())

    async def _write(self, group: list[_Waiting[Request, Result]]) -> None:
        outcomes: list[Result | Exception]
        try:
            try:
                outcomes = await self._write_group([item.request for item in group])
            except Exception as error:
                if len(group) == 1:
                    outcomes = [error]
                else:
                    # One row failed the group (a visitor erased meanwhile, a constraint):
                    # each request alone, so the others are still written.
                    outcomes = []
                    for item in group:
                        try:
                            outcomes.extend(await self._write_group([item.request]))
                        except Exception as alone:
                            outcomes.append(alone)
        except BaseException:
            for item in group:
                if not item.done.done():
                    item.done.cancel()  # the writer itself is being cancelled (shutdown)
            raise
        for item, outcome in zip(group, outcomes, strict=True):
            if item.done.done():
                continue
            if isinstance(outcome, Exception):
                item.done.set_exception(outcome)
            else:
                item.done.set_result(outcome)


Writer = TypeVar("Writer", bound=GroupWriter[Any, Any])


def _state_key(kind: type[GroupWriter[Any, Any]]) -> str:
    return f"live_stream.{kind.__name__}"


def writer_of(runtime: Runtime, kind: type[Writer], make: Callable[[], Writer]) -> Writer:
    """The process's one writer of this kind: groups only form when every request of a kind
    goes through the same writer."""
    writer = runtime.state.get(_state_key(kind))
    if not isinstance(writer, kind):
        writer = runtime.state[_state_key(kind)] = make()
    return writer


async def finish_writer(runtime: Runtime, kind: type[GroupWriter[Any, Any]]) -> None:
    """Shutdown: write what this kind's writer still holds before the database closes."""
    writer = runtime.state.get(_state_key(kind))
    if isinstance(writer, kind):
        await writer.finish()
