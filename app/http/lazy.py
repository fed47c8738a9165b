"""Modules loaded on first use, with the standard library's lazy loader.

The handlers reach the database layer (SQLAlchemy, the ORM models, the driver), about 0.2 s of a
cold start. Requests that never touch the database, the readiness check and cached reads, should
not wait for it: the generated routes hold their handler module lazily, and the first request
that reaches one loads it, with the cyclic collector paused (app/platform/heap.py).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

from app.platform import heap


class _Lasting(importlib.abc.Loader):
    """Executes a module as its own loader does, with what it makes kept out of the collector's
    way: a handler module's first use imports the database layer."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with heap.lasting():
            self.loader.exec_module(module)


def lazy_module(name: str) -> ModuleType:
    """The named module, executed when one of its attributes is first read."""
    if (loaded := sys.modules.get(name)) is not None:
        return loaded
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(_Lasting(spec.loader))
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
