"""Objects made to last: made with the cyclic collector paused, then frozen out of its reach."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.platform import heap


@pytest.fixture(autouse=True)
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_block_runs_with_the_collector_paused_and_it_runs_again_after() -> None:
    with heap.lasting():
        inside = gc.isenabled()

    assert inside is False
    assert gc.isenabled()


def test_what_the_block_made_is_frozen() -> None:
    before = gc.get_freeze_count()
    with heap.lasting():
        made = [[index] for index in range(1_000)]

    assert gc.get_freeze_count() >= before + len(made)
    assert gc.get_count()[0] < len(made)


def test_the_collector_runs_again_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), heap.lasting():
        raise RuntimeError("boom")

    assert gc.isenabled()


def test_a_nested_block_leaves_the_outer_one_paused() -> None:
    with heap.lasting():
        with heap.lasting():
            pass
        after_inner = gc.isenabled()

    assert after_inner is False
    assert gc.isenabled()


def test_with_the_collector_already_paused_it_stays_paused_and_nothing_is_frozen() -> None:
    gc.disable()
    before = gc.get_freeze_count()
    with heap.lasting():
        made = [[index] for index in range(1_000)]

    assert not gc.isenabled()
    # A frozen object freed meanwhile leaves the count; a freeze would add the 1,000 made.
    assert gc.get_freeze_count() <= before
    assert len(made) == 1_000
