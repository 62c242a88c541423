"""The upload lane's turns (transport/upload_lane.py): round-robin between orgs, first come
first served within one, one slot at a time, and nothing lost when a waiter gives up."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.transport.upload_lane import FairLane


async def _take_turns(lane: FairLane, steps: list[tuple[str, str]], served: list[str]) -> None:
    """Queues every step while the lane is held, then lets them through one at a time."""
    await lane.acquire("holder")

    async def step(key: str, name: str) -> None:
        await lane.acquire(key)
        served.append(name)
        await asyncio.sleep(0)
        lane.release()

    tasks = [asyncio.create_task(step(key, name)) for key, name in steps]
    await asyncio.sleep(0)  # every step is waiting now
    assert lane.waiting == len(steps)
    lane.release()
    await asyncio.gather(*tasks)


async def test_an_org_with_one_upload_gets_a_turn_for_every_turn_of_an_org_with_many() -> None:
    lane = FairLane()
    served: list[str] = []
    flood = [("org:a", f"a{i}") for i in range(5)]
    await _take_turns(lane, [*flood, ("org:b", "b0"), ("org:b", "b1")], served)
    # A plain queue would serve a0-a4 first; the lane alternates while both orgs wait
    assert served == ["a0", "b0", "a1", "b1", "a2", "a3", "a4"]
    assert lane.waiting == 0


async def test_within_one_org_steps_keep_their_order() -> None:
    lane = FairLane()
    served: list[str] = []
    await _take_turns(lane, [("org:a", f"a{i}") for i in range(4)], served)
    assert served == ["a0", "a1", "a2", "a3"]


async def test_only_one_step_holds_the_lane_at_a_time() -> None:
    lane = FairLane()
    inside = 0
    most = 0

    async def step(key: str) -> None:
        nonlocal inside, most
        await lane.acquire(key)
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.001)
        inside -= 1
        lane.release()

    await asyncio.gather(*(step(f"org:{i % 3}") for i in range(12)))
    assert most == 1
    # The slot is free again: the next step goes straight in
    await asyncio.wait_for(lane.acquire("org:x"), 0.1)


async def test_a_step_given_up_while_waiting_leaves_no_hole_and_no_lost_turn() -> None:
    lane = FairLane()
    await lane.acquire("org:a")
    gave_up = asyncio.create_task(lane.acquire("org:b"))
    waits = asyncio.create_task(lane.acquire("org:c"))
    await asyncio.sleep(0)
    gave_up.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gave_up
    assert lane.waiting == 1
    lane.release()
    await asyncio.wait_for(waits, 0.1)  # the turn went to the one still waiting


async def test_a_turn_handed_to_a_step_that_is_cancelled_passes_on() -> None:
    lane = FairLane()
    await lane.acquire("org:a")
    first = asyncio.create_task(lane.acquire("org:b"))
    second = asyncio.create_task(lane.acquire("org:c"))
    await asyncio.sleep(0)
    lane.release()  # the turn is handed to `first`...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 0.1)  # so the turn went on to `second`


def test_a_lane_without_a_slot_is_refused() -> None:
    with pytest.raises(ValueError):
        FairLane(0)
