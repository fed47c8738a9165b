"""Handler modules loaded on first use, with what they make kept out of the collector's way."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.http.lazy import lazy_module

MODULE = "lazily_loaded_for_test"


@pytest.fixture
def module_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / f"{MODULE}.py"
    path.write_text(
        "import gc\n"
        "import builtins\n"
        "builtins.lazily_loaded_runs = getattr(builtins, 'lazily_loaded_runs', 0) + 1\n"
        "collecting_while_loaded = gc.isenabled()\n"
        "value = 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield path
    sys.modules.pop(MODULE, None)
    import builtins

    if hasattr(builtins, "lazily_loaded_runs"):
        del builtins.lazily_loaded_runs


def _runs() -> int:
    import builtins

    return int(getattr(builtins, "lazily_loaded_runs", 0))


def test_the_module_runs_when_an_attribute_is_first_read(module_file: Path) -> None:
    module = lazy_module(MODULE)
    assert _runs() == 0

    assert module.value == 42
    assert module.value == 42
    assert _runs() == 1


def test_the_module_runs_with_the_collector_paused(module_file: Path) -> None:
    assert gc.isenabled()
    module = lazy_module(MODULE)

    assert module.collecting_while_loaded is False
    assert gc.isenabled()


def test_a_loaded_module_is_returned_as_it_is(module_file: Path) -> None:
    first = lazy_module(MODULE)
    assert first.value == 42

    assert lazy_module(MODULE) is first
    assert _runs() == 1


def test_an_unknown_module_is_refused_at_once() -> None:
    with pytest.raises(ModuleNotFoundError):
        lazy_module("no_such_module_anywhere")
