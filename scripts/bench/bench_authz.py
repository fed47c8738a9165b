"""Per-decision latency of the authorization policy: the Authorizer and the in-process OPA host
(fast and portable call paths), against the OPA REST server.

Usage: python -m scripts.bench.bench_authz [--decisions N] [--rest-decisions N]
Needs opa/build (make opa); the REST half needs .tools/bin/opa (make opa-tools).
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.platform.authz import ENTRYPOINT, Authorizer, Principal, Resource  # noqa: E402
from app.platform.authz.opa import OpaPolicy  # noqa: E402

OPA = ROOT / ".tools/bin/opa"
OWNER = "00000000-0000-4000-8000-000000000001"
OPERATIONS = ("getPost", "updatePost", "listPosts", "createCategory")
T = TypeVar("T")


_SUBJECTS: list[tuple[str, str] | None] = [
    None,
    (OWNER, "author"),
    ("00000000-0000-4000-8000-000000000002", "author"),
    ("00000000-0000-4000-8000-000000000003", "editor"),
]


def _inputs() -> list[dict[str, Any]]:
    """16 input documents: four callers, four operations, two of them on a draft post."""
    post = {"type": "post", "ownerId": OWNER, "status": "draft"}
    docs = []
    for caller in _SUBJECTS:
        subject: dict[str, Any] = (
            {"id": None, "role": None, "authenticated": False}
            if caller is None
            else {"id": caller[0], "role": caller[1], "authenticated": True}
        )
        for op in OPERATIONS:
            docs.append(
                {
                    "operation": op,
                    "subject": subject,
                    "resource": post if op in {"getPost", "updatePost"} else None,
                    "now": "2025-06-01T12:00:00Z",
                }
            )
    return docs


Question = tuple[str, Principal | None, Resource | None]


def _questions() -> list[Question]:
    """The same 16 cases as typed Authorizer inputs."""
    post = Resource(type="post", owner_id=uuid.UUID(OWNER), status="draft")
    principals = [
        None if caller is None else Principal(uuid.UUID(caller[0]), caller[1], uuid.uuid4())
        for caller in _SUBJECTS
    ]
    return [
        (op, principal, post if op in {"getPost", "updatePost"} else None)
        for principal in principals
        for op in OPERATIONS
    ]


def _decide(authorizer: Authorizer) -> Callable[[Question], object]:
    def call(question: Question) -> object:
        operation, principal, resource = question
        return authorizer.decide(operation=operation, principal=principal, resource=resource)

    return call


def _measure(call: Callable[[T], object], docs: list[T], n: int) -> list[float]:
    for doc in docs:
        call(doc)
    samples = []
    clock = time.perf_counter_ns
    for i in range(n):
        doc = docs[i % len(docs)]
        start = clock()
        call(doc)
        samples.append((clock() - start) / 1000)
    return samples


def _summary(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rest_call(conn: http.client.HTTPConnection) -> Callable[[dict[str, Any]], object]:
    def call(doc: Mapping[str, Any]) -> object:
        body = json.dumps({"input": doc})
        conn.request(
            "POST",
            "/v1/data/blog/authz/decision",
            body,
            {"Content-Type": "application/json"},
        )
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"OPA server answered {response.status}: {payload!r}")
        return json.loads(payload)["result"]

    return call


def _bench_rest(docs: list[dict[str, Any]], n: int) -> list[float] | str:
    binary = str(OPA) if OPA.exists() else shutil.which("opa")
    if binary is None:
        return "OPA CLI not installed (make opa-tools)"
    port = _free_port()
    server = subprocess.Popen(
        [
            binary,
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "--ignore",
            "*_test.rego",
            str(ROOT / "opa/policy"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        deadline = time.monotonic() + 15
        while True:
            try:
                conn.request("GET", "/health")
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    break
            except OSError:
                conn.close()
            if time.monotonic() > deadline or server.poll() is not None:
                return "OPA server did not become ready"
            time.sleep(0.05)
        return _measure(_rest_call(conn), docs, n)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _bench_opa_py_wasm(docs: list[dict[str, Any]], n: int) -> list[float] | str:
    if importlib.util.find_spec("opa_wasm") is None:
        return "opa-py-wasm is not installed (not in uv.lock: it pins wasmtime<47)"
    from opa_wasm import OpaWasmPolicy  # type: ignore[import-not-found]  # pragma: no cover

    policy = OpaWasmPolicy.from_wasm_file(str(ROOT / "opa/build/policy.wasm"))
    return _measure(lambda doc: policy.evaluate(doc, "blog/authz/decision"), docs, n)


def _cold_start() -> tuple[float, float]:
    start = time.perf_counter()
    OpaPolicy.load(ROOT / "opa/build")
    compiled = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as cache:
        OpaPolicy.load(ROOT / "opa/build", cache_dir=cache)
        start = time.perf_counter()
        OpaPolicy.load(ROOT / "opa/build", cache_dir=cache)
        cached = time.perf_counter() - start
    return compiled * 1000, cached * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument("--rest-decisions", type=int, default=3000)
    args = parser.parse_args()
    docs, questions, n = _inputs(), _questions(), args.decisions

    policy = OpaPolicy.load(ROOT / "opa/build")
    portable = OpaPolicy.load(ROOT / "opa/build", fast_call=False)
    assert (policy.call_kind, portable.call_kind) == ("fast", "portable")
    results: dict[str, list[float] | str] = {}
    results["Authorizer, memo hit"] = _measure(_decide(Authorizer(policy)), questions, n)
    results["Authorizer, no memo"] = _measure(
        _decide(Authorizer(policy, memo_size=0)), questions, n
    )
    results["host eval, fast call"] = _measure(lambda d: policy.eval(ENTRYPOINT, d), docs, n)
    results["host eval, portable call"] = _measure(
        lambda d: portable.eval(ENTRYPOINT, d), docs, args.rest_decisions
    )
    results["OPA REST server (loopback)"] = _bench_rest(docs, args.rest_decisions)
    results["opa-py-wasm"] = _bench_opa_py_wasm(docs, args.rest_decisions)

    print(f"{'engine':<30} {'p50 us':>10} {'p99 us':>10} {'samples':>9}")
    p50s: dict[str, float] = {}
    for name, outcome in results.items():
        if isinstance(outcome, str):
            print(f"{name:<30} skipped: {outcome}")
            continue
        p50, p99 = _summary(outcome)
        p50s[name] = p50
        print(f"{name:<30} {p50:>10.1f} {p99:>10.1f} {len(outcome):>9}")

    rest = p50s.get("OPA REST server (loopback)")
    for name in ("Authorizer, memo hit", "Authorizer, no memo", "host eval, fast call"):
        if rest is not None:
            print(f"REST p50 / {name} p50: {rest / p50s[name]:.1f}x")
    compiled, cached = _cold_start()
    print(f"cold load: {compiled:.1f} ms compiling, {cached:.1f} ms from the artifact cache")


if __name__ == "__main__":
    main()
