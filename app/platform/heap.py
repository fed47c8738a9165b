"""Objects that live as long as the process, made out of the cyclic collector's way.

Importing a large module (the app's, the database layer's) makes tens of thousands of objects
that stay until the process ends. While they pile up, the cyclic collector traverses them again
and again, about a tenth of such an import, and later full passes would traverse them once more.
So they are made with the collector paused and then frozen (`gc.freeze()`): it never looks at
them again. Objects freed by their reference count are freed as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def lasting() -> Iterator[None]:
    """Run the block with the collector paused, then freeze what exists; nested, the outermost
    block does both."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
