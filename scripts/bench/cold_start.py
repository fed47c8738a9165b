"""Cold start: the app against a bare FastAPI app, from process start to the first /health.

Each sample is a fresh `uvicorn --factory` process on loopback, polled every 10 ms the way the
Lambda Web Adapter's readiness check polls it; the two variants alternate so both see the same
machine load. The app runs with the container's settings (image_env in
scripts/contract/contract_test.py) and a policy cache warmed first, as the image build warms it.
Prints the medians with their spread, their ratio, and the extra cost of the app's first request
that needs the database (the database layer loads on first use): that request's time less the
same request's time once loaded, also as a ratio to the bare app's start, which scales with the
machine as the cost does. Then the heaviest imports of the served app up to its first
/health (`python -X importtime`, including the lifespan's), and what the first database request
loads.

With --instructions it counts instead, under valgrind's cachegrind, the instructions each app
executes from its process start to its first /health, and the app's to its first database
request (scripts/bench/start_probe.py, one process each): the same ratios, and the same from
run to run however busy the machine is, though not weighted as time is (a page fault or a
library's loading costs time and few instructions). It counts the bare app once more after
importing the libraries the design names that the app loads before /health
(scripts/bench/bare_app.py), which splits the app's ratio into theirs and the app's own work.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.bench.bare_app import NAMED_LIBRARIES
from scripts.contract.contract_test import (
    HEALTH_PATH,
    ON_THIS_MACHINE,
    ROOT,
    image_env,
    serve_command,
)
from tests.fixtures.services import free_port

BIN = Path(sys.executable).parent
APP = "app.main:create_app"
BARE = "scripts.bench.bare_app:create_app"
FLOOR = "scripts.bench.bare_app:create_app_with_libraries"
KEPT_OFF = ("boto3", "botocore", "asyncpg", "sqlalchemy", "pydantic.v1")
DATABASE_PATH = "/v1/categories"
OWN_PACKAGES = {"app", "handlers", "generated"}
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def status_line(port: int, path: str, *, timeout: float = 1) -> bytes:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(request.encode())
            return sock.recv(64)
    except OSError:
        return b""


def healthy(port: int) -> bool:
    return status_line(port, HEALTH_PATH).startswith(b"HTTP/1.1 200")


@dataclass(frozen=True)
class Sample:
    ready: float
    """Seconds from spawning the server to its first 200 on /health."""
    cpu: float
    """CPU seconds the server had used by then: less swayed by a busy machine."""
    first_database: float
    """Seconds of the first request that reaches the database layer: nothing listens there, so
    it answers 503 as soon as the layer is loaded and the connection refused."""
    again_database: float
    """Seconds of the same request once the layer is loaded."""
    until_ready: str
    """The server's stderr up to its first 200 on /health."""
    after_ready: str

    @property
    def database_extra(self) -> float:
        return self.first_database - self.again_database


def served(factory: str, env: dict[str, str], *, importtime: bool = False) -> Sample:
    port = free_port()
    program, *arguments = serve_command(port)
    arguments[arguments.index(APP)] = factory
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", program]
    # A file, not a pipe: -X importtime writes more than a pipe holds before /health is polled.
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, *arguments], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = started + 60
            while not healthy(port):
                if time.perf_counter() > deadline or process.poll() is not None:
                    raise SystemExit(f"{factory} did not become healthy")
                time.sleep(0.01)
            ready = time.perf_counter() - started
            cpu = cpu_seconds(process.pid)
            ready_at = os.fstat(log.fileno()).st_size
            first_database, again_database = (timed_request(port) for _ in range(2))
        finally:
            process.terminate()
            process.wait(timeout=20)
        log.seek(0)
        stderr = log.read()
    until_ready, after_ready = (stderr[:ready_at].decode(), stderr[ready_at:].decode())
    return Sample(ready, cpu, first_database, again_database, until_ready, after_ready)


def _probe(factory: str, paths: list[str]) -> list[str]:
    # The probe binds no socket: the port is only part of the command it reads.
    program, *arguments = serve_command(8080)
    arguments[arguments.index(APP)] = factory
    probe = str(ROOT / "scripts" / "bench" / "start_probe.py")
    return [sys.executable, probe, *paths, "--command", program, *arguments]


def _cachegrind(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind (Debian's valgrind package)")
    options = ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    return subprocess.run(
        [valgrind, *options, *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )


def instructions(factory: str, env: dict[str, str], paths: list[str]) -> tuple[int, list[str]]:
    """The instructions one start of this app executes up to its answers to these paths, and
    the answers' statuses."""
    counted = _cachegrind(_probe(factory, paths), env)
    refs = re.search(r"I\s+refs:\s+([\d,]+)", counted.stderr)
    if refs is None:
        raise SystemExit(f"cachegrind printed no count for {factory}:\n{counted.stderr[-2000:]}")
    statuses = counted.stdout.strip().splitlines()[-1].split()
    return int(refs[1].replace(",", "")), statuses


def count_instructions(env: dict[str, str]) -> None:
    everything = [HEALTH_PATH, DATABASE_PATH]
    # Uncounted first: one start writes the bytecode of all that is counted. Another, under
    # cachegrind, compiles the policy for the processor valgrind presents, which differs from
    # the machine's, so wasmtime would refuse the artifact a plain start cached and compile it
    # again inside the count.
    for factory in (APP, BARE, FLOOR):
        subprocess.run(
            _probe(factory, everything),
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )
    _cachegrind(_probe(APP, [HEALTH_PATH]), env)
    app, app_statuses = instructions(APP, env, [HEALTH_PATH])
    bare, bare_statuses = instructions(BARE, env, [HEALTH_PATH])
    floor, floor_statuses = instructions(FLOOR, env, [HEALTH_PATH])
    with_database, database_statuses = instructions(APP, env, everything)
    if [*app_statuses, *bare_statuses, *floor_statuses, database_statuses[0]] != ["200"] * 4:
        raise SystemExit(
            f"{HEALTH_PATH} answered {app_statuses}, {bare_statuses}, {floor_statuses}; "
            f"the database request's start {database_statuses}"
        )
    extra = with_database - app
    print(f"instructions to the first {HEALTH_PATH}, one process each (cachegrind)")
    print(f"  app  {app:15,}")
    print(f"  bare {bare:15,}")
    print(f"  ratio app/bare: {app / bare:.3f}")
    print(
        f"  the bare app with the libraries the design names ({', '.join(NAMED_LIBRARIES)}): "
        f"{floor:,}, {floor / bare:.3f} of the bare start; the app's own work on top: "
        f"{(app - floor) / bare:.3f}"
    )
    print(
        f"  the first request that needs the database (GET {DATABASE_PATH}, answered "
        f"{database_statuses[1]}): {extra:,} more, {extra / bare:.3f} of the bare start"
    )
    print(f"  the two together, over the bare app's start: {with_database / bare:.3f}")


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system, in clock ticks of 10 ms)."""
    # The command name, in parentheses, may hold spaces: the fields are counted after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_request(port: int) -> float:
    asked = time.perf_counter()
    status_line(port, DATABASE_PATH, timeout=30)
    return time.perf_counter() - asked


def _is_own(module: str) -> bool:
    return module.split(".")[0] in OWN_PACKAGES


def top_imports(stderr: str, count: int) -> tuple[list[tuple[int, int, str]], int]:
    """The heaviest outermost imports of other packages, as (cumulative us, self us, module),
    and the self us of the app's own modules.

    An import counts where the app's code (or the server) first reaches outside the app, so
    the rows do not overlap, whichever app module happens to import a package first.
    """
    rows, own_us = [], 0
    chain: list[str] = []
    # Reversed, -X importtime's post-order lists every module right after its importer.
    for match in reversed(list(_IMPORT_LINE.finditer(stderr))):
        own, cumulative, indent, module = match.groups()
        del chain[len(indent) // 2 :]
        if _is_own(module):
            own_us += int(own)
        elif all(_is_own(importer) for importer in chain):
            rows.append((int(cumulative), int(own), module))
        chain.append(module)
    return sorted(rows, reverse=True)[:count], own_us


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--max-ratio", type=float, default=None, help="exit 1 above this ratio")
    parser.add_argument(
        "--max-database-ratio",
        type=float,
        default=None,
        help="exit 1 when the first database request's median extra cost, over the bare app's "
        "median start, is above this",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under cachegrind instead of timing (needs valgrind)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache_dir:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            **image_env(Path(cache_dir) / "opa"),
            **ON_THIS_MACHINE,
            # Bytecode as the image has it (compiled at build), kept out of the checkout.
            "PYTHONPYCACHEPREFIX": str(Path(cache_dir) / "pycache"),
            "TOKEN_PEPPER": secrets.token_urlsafe(48),
            # Never connected to at start: the pool opens on the first query, Redis on the first
            # command. Both set, as in production, so the embedded stand-ins stay out of the count.
            "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres",
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "LOG_LEVEL": "WARNING",
        }
        if args.instructions:
            count_instructions(env)
            return 0
        # Warms the bytecode and the compiled policy, as the image build does.
        served(APP, env)
        served(BARE, env)
        samples: dict[str, list[Sample]] = {APP: [], BARE: []}
        for _ in range(args.repetitions):
            for factory in (APP, BARE):
                samples[factory].append(served(factory, env))
        traced = served(APP, env, importtime=True)

    ready = {f: [sample.ready for sample in samples[f]] for f in (APP, BARE)}
    app_median, bare_median = (statistics.median(ready[f]) for f in (APP, BARE))
    ratio = app_median / bare_median
    extra = [sample.database_extra for sample in samples[APP]]
    extra_median = statistics.median(extra)
    print(f"cold start to first {HEALTH_PATH}, median of {args.repetitions} fresh processes")
    print(f"  app  {_spread(ready[APP])}")
    print(f"  bare {_spread(ready[BARE])}")
    print(f"  ratio app/bare: {ratio:.2f}")
    cpu = {f: [sample.cpu for sample in samples[f]] for f in (APP, BARE)}
    cpu_ratio = statistics.median(cpu[APP]) / statistics.median(cpu[BARE])
    print(f"  CPU to ready: app {_spread(cpu[APP])}")
    print(f"                bare {_spread(cpu[BARE])}")
    print(f"  CPU ratio app/bare: {cpu_ratio:.2f}")
    print(
        f"  the app's first request that needs the database (GET {DATABASE_PATH}) loads the "
        f"database layer; its extra cost over the same request once loaded:\n"
        f"       {_spread(extra)}\n"
        f"  that extra over the bare app's start: {extra_median / bare_median:.2f}"
    )
    print(
        f"  the two together, over the bare app's start: "
        f"{(app_median + extra_median) / bare_median:.2f}"
    )
    up_to_ready = traced.until_ready
    heaviest, own_us = top_imports(up_to_ready, args.top)
    print(
        f"\nheaviest imports of the served app up to its first {HEALTH_PATH} "
        f"(of {up_to_ready.count('import time:')}):"
    )
    print(f"  {'cumulative ms':>13} {'self ms':>8}  module")
    for cumulative, own, module in heaviest:
        print(f"  {cumulative / 1000:13.1f} {own / 1000:8.1f}  {module}")
    print(f"  {'':13} {own_us / 1000:8.1f}  {', '.join(sorted(OWN_PACKAGES))} (the app's own)")
    later, _ = top_imports(traced.after_ready, 5)
    print(f"\nheaviest imports of the first database request (GET {DATABASE_PATH}):")
    for cumulative, own, module in later:
        print(f"  {cumulative / 1000:13.1f} {own / 1000:8.1f}  {module}")
    loaded = {m.group(4) for m in _IMPORT_LINE.finditer(up_to_ready)}
    print(f"\nloaded by the time {HEALTH_PATH} answers:")
    for name in KEPT_OFF:
        print(f"  {name:11} {'yes' if name in loaded else 'no'}")
    failed = False
    if args.max_ratio is not None and ratio > args.max_ratio:
        print(f"ratio {ratio:.2f} is above {args.max_ratio}", file=sys.stderr)
        failed = True
    if args.max_database_ratio is not None and extra_median / bare_median > args.max_database_ratio:
        print(
            f"first database request's extra {extra_median / bare_median:.2f} of the bare start "
            f"is above {args.max_database_ratio}",
            file=sys.stderr,
        )
        failed = True
    return 1 if failed else 0


def _spread(seconds: list[float]) -> str:
    """The median, the range and every sample, in ms."""
    ms = [round(s * 1000) for s in seconds]
    return f"{statistics.median(seconds) * 1000:6.0f} ms  ({min(ms)}-{max(ms)})  {ms}"


if __name__ == "__main__":
    sys.exit(main())
