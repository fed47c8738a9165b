"""Fail unless every policy file (tests excluded) has the minimum `opa test --coverage`."""

from __future__ import annotations

import json
import sys


def main() -> None:
    with open(sys.argv[1]) as source:
        report = json.load(source)
    minimum = float(sys.argv[2])
    failed = False
    for name, file in sorted(report.get("files", {}).items()):
        if name.endswith("_test.rego"):
            continue
        covered = float(file.get("coverage", 0.0))
        print(f"rego coverage {name}: {covered:.1f}% (minimum {minimum:g}%)")  # noqa: T201
        failed |= covered < minimum
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
