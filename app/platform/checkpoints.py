"""Named points where concurrent requests race, and the hook that a test can hold them at.

Requests sent at once through an in-process client seldom overlap where it matters: each runs
to its first real wait, and the first is often done before the next begins, so a race that is
handled wrongly can still give the answers the test expects. A test therefore gives the process
a checkpoint (app.bootstrap.open_resources), which each racing path awaits at its named point,
and holds every request there until all have arrived. Outside tests it is None, and reaching a
point costs one comparison.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# Awaited with the point's name; returns when the caller may go on.
Checkpoint = Callable[[str], Awaitable[None]]


async def reach(checkpoint: Checkpoint | None, point: str) -> None:
    if checkpoint is not None:
        await checkpoint(point)
