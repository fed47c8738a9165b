"""Reaching a racing point: nothing without a checkpoint, the checkpoint's wait with one."""

from __future__ import annotations

import asyncio

import pytest

from app.platform import checkpoints


def test_without_a_checkpoint_a_point_is_passed_without_suspending() -> None:
    step = checkpoints.reach(None, "some.point")
    with pytest.raises(StopIteration):
        step.send(None)


async def test_a_checkpoint_holds_the_caller_at_the_named_point_until_it_returns() -> None:
    arrived, release = asyncio.Event(), asyncio.Event()
    points: list[str] = []

    async def hold(point: str) -> None:
        points.append(point)
        arrived.set()
        await release.wait()

    caller = asyncio.create_task(checkpoints.reach(hold, "some.point"))
    arrival = asyncio.create_task(arrived.wait())
    done, _ = await asyncio.wait({caller, arrival}, return_when=asyncio.FIRST_COMPLETED)
    assert done == {arrival}
    assert points == ["some.point"]
    assert not caller.done()
    release.set()
    await caller
    assert points == ["some.point"]
