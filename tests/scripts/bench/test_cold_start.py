"""The cold-start script's reading of `-X importtime` and of a process's CPU time."""

from __future__ import annotations

import os

from scripts.bench.cold_start import cpu_seconds, top_imports

# What -X importtime writes: self us | cumulative us | the module, indented under its importer,
# each module after the ones it imported.
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |     redis.client
import time:        50 |        150 |   redis
import time:       700 |        850 | app.platform.store
import time:        20 |         20 |     pydantic.main
import time:        30 |         50 |   fastapi
import time:        10 |         60 | generated.main
import time:       400 |        400 | uvicorn
"""


def test_an_empty_log_has_no_imports() -> None:
    assert top_imports("", 5) == ([], 0)


def test_imports_count_where_the_app_first_reaches_outside_it() -> None:
    heaviest, own_us = top_imports(IMPORTTIME, 5)

    # redis.client is inside redis, pydantic.main inside fastapi: neither is a row of its own.
    assert heaviest == [(400, 400, "uvicorn"), (150, 50, "redis"), (50, 30, "fastapi")]
    assert own_us == 710


def test_the_count_keeps_the_heaviest() -> None:
    assert [module for *_, module in top_imports(IMPORTTIME, 2)[0]] == ["uvicorn", "redis"]


def test_a_process_cpu_time_grows_with_its_work() -> None:
    before = cpu_seconds(os.getpid())
    total = 0
    while cpu_seconds(os.getpid()) == before:
        total += sum(range(10_000))

    assert cpu_seconds(os.getpid()) > before >= 0
