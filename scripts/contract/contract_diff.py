"""The breaking-change gate and the contract releases.

`check` compares spec/openapi.yaml with the last released contract (docs/released/v<major>.yaml)
through oasdiff and fails on a breaking change, or when info.version did not move by semver for
what changed. `release` runs the same check, then copies the contract to the baseline and adds a
dated section to docs/CHANGELOG.md that lists what `oasdiff changelog` found.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader where PyYAML has it: the pure-Python one is slow on the contract.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# oasdiff's JSON levels. WARN counts as breaking: the request schemas are closed
# (additionalProperties: false), so even a removed request property rejects old clients.
BREAKING_LEVEL = 2
INFO_LEVEL = 1
LEVEL_NAMES = {3: "error", 2: "warning", 1: "info"}
# What docs/spec.md ("Base URL and versioning") promises clients to tolerate, and oasdiff does
# not know: a new error.code value. Such a change is an addition (minor), not a breaking one.
# oasdiff names the property by its path, through any anyOf: `error/anyOf[…]/code`.
COMPATIBLE = [
    ("response-property-enum-value-added", re.compile(r" `error/(?:\S+/)?code` response property"))
]
# oasdiff's own versioning findings only restate what this script decides.
VERSION_POLICY_IDS = {
    "api-version-not-bumped",
    "api-version-decreased",
    "api-major-version-not-bumped",
}
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
BASELINE = re.compile(r"^v(0|[1-9]\d*)\.yaml$")
CHANGELOG_HEADER = """# Contract changelog

Every release of the HTTP contract in [spec.md](spec.md), newest first. `make release-contract`
writes each section with `oasdiff changelog` between the previous release and this one, and keeps
the released document in [released/](released/) as the baseline that `make contract-diff` checks
against.
"""


class Bump(IntEnum):
    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3


REASONS = {
    Bump.MAJOR: "breaking changes",
    Bump.MINOR: "changed operations or schemas",
    Bump.PATCH: "changed descriptions, examples, servers or other documentation",
}


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = SEMVER.match(text)
        if match is None:
            raise SystemExit(f"info.version {text!r} is not MAJOR.MINOR.PATCH")
        return cls(*(int(part) for part in match.groups()))

    def bumped(self, bump: Bump) -> Version:
        if bump is Bump.MAJOR:
            return Version(self.major + 1, 0, 0)
        if bump is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if bump is Bump.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class Comparison:
    base: Version
    revision: Version
    changes: list[dict[str, Any]]
    differs: bool

    @property
    def breaking(self) -> list[dict[str, Any]]:
        return [change for change in self.changes if change["level"] >= BREAKING_LEVEL]

    @property
    def required(self) -> Bump:
        if self.breaking:
            return Bump.MAJOR
        if self.changes:
            return Bump.MINOR
        return Bump.PATCH if self.differs else Bump.NONE

    def problems(self) -> list[str]:
        """Why info.version does not fit the changes; empty when it does."""
        bump = next((b for b in Bump if self.base.bumped(b) == self.revision), None)
        if bump is None:
            allowed = ", ".join(str(self.base.bumped(b)) for b in reversed(Bump))
            return [
                f"info.version {self.revision} does not follow {self.base}: use one of {allowed}"
            ]
        if bump < self.required:
            wanted = self.base.bumped(self.required)
            return [
                f"info.version is {self.revision}, but {REASONS[self.required]} since "
                f"{self.base} need {wanted} ({self.required.name.lower()} bump)"
            ]
        return []


def load(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
    if not isinstance(document, dict):
        raise SystemExit(f"{path} is not an OpenAPI document")
    return document


def version_of(document: dict[str, Any]) -> Version:
    return Version.parse(str(document.get("info", {}).get("version", "")))


def latest_baseline(released: Path) -> Path | None:
    """The baseline of the highest released major version, if any."""
    found = [(int(m[1]), p) for p in released.glob("v*.yaml") if (m := BASELINE.match(p.name))]
    return max(found)[1] if found else None


def without_version(document: dict[str, Any]) -> dict[str, Any]:
    info = {key: value for key, value in document.get("info", {}).items() if key != "version"}
    return {**document, "info": info}


def run_oasdiff(oasdiff: Path, *args: str) -> str:
    result = subprocess.run([str(oasdiff), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"oasdiff {args[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def with_policy(change: dict[str, Any]) -> dict[str, Any]:
    """The change at the level this contract's versioning policy gives it."""
    if any(change["id"] == id_ and text.search(change["text"]) for id_, text in COMPATIBLE):
        return {**change, "level": INFO_LEVEL}
    return change


def compare(oasdiff: Path, base: Path, revision: Path) -> Comparison:
    changes = json.loads(run_oasdiff(oasdiff, "changelog", str(base), str(revision), "-f", "json"))
    old, new = load(base), load(revision)
    return Comparison(
        base=version_of(old),
        revision=version_of(new),
        changes=[with_policy(c) for c in changes if c["id"] not in VERSION_POLICY_IDS],
        differs=without_version(old) != without_version(new),
    )


def where(change: dict[str, Any]) -> str:
    return f"{change['operation']} {change['path']}" if "path" in change else change["section"]


def describe(change: dict[str, Any]) -> str:
    return f"{LEVEL_NAMES[change['level']]} [{change['id']}] {where(change)}: {change['text']}"


def changelog_entries(comparison: Comparison) -> str:
    """The changes as Markdown, by operation in path order (as oasdiff's own Markdown has them),
    then by section; breaking ones marked."""
    if not comparison.changes:
        return "No change to operations or schemas: descriptions, examples and other documentation."
    groups: dict[tuple[bool, str, str], list[str]] = {}
    for change in comparison.changes:
        key = ("path" not in change, change.get("path", ""), where(change))
        mark = "**Breaking:** " if change["level"] >= BREAKING_LEVEL else ""
        groups.setdefault(key, []).append(f"- {mark}{change['text']}")
    return "\n\n".join(
        f"### {key[2]}\n\n" + "\n".join(lines) for key, lines in sorted(groups.items())
    )


def report(comparison: Comparison, base: Path) -> list[str]:
    """Print what changed since the baseline and return the problems found."""
    for change in comparison.changes:
        print(describe(change))
    if comparison.differs and not comparison.changes:
        print("no change to operations or schemas; the documentation differs")
    if comparison.breaking and comparison.revision.major == comparison.base.major:
        return [
            f"{len(comparison.breaking)} breaking change(s) against {base} ({comparison.base}): "
            "keep them compatible, or release a new major version under a new path prefix"
        ]
    return comparison.problems()


def check(oasdiff: Path, spec: Path, released: Path) -> int:
    base = latest_baseline(released)
    if base is None:
        print(f"no released contract in {released}: run 'make release-contract'", file=sys.stderr)
        return 1
    comparison = compare(oasdiff, base, spec)
    problems = report(comparison, base)
    for problem in problems:
        print(f"contract-diff: {problem}", file=sys.stderr)
    if not problems:
        print(f"contract-diff: {comparison.revision} against the released {comparison.base}: ok")
    return 1 if problems else 0


def add_section(changelog: Path, section: str) -> None:
    """Put section above the newest one, after the header (which a new file gets first)."""
    text = changelog.read_text(encoding="utf-8") if changelog.exists() else CHANGELOG_HEADER
    head, marker, rest = text.partition("\n## ")
    body = f"{head.rstrip()}\n\n{section.rstrip()}\n"
    changelog.write_text(body + (f"\n## {rest}" if marker else ""), encoding="utf-8")


def release_notes(oasdiff: Path, base: Path, spec: Path) -> str | None:
    """The changelog section's body, or None (and the reasons printed) when spec may not be
    released over base."""
    comparison = compare(oasdiff, base, spec)
    problems = report(comparison, base)
    if not problems and comparison.revision == comparison.base:
        problems = [f"{comparison.base} is already released"]
    for problem in problems:
        print(f"release-contract: {problem}", file=sys.stderr)
    if problems:
        return None
    return f"Changes since {comparison.base}:\n\n{changelog_entries(comparison)}"


def release(oasdiff: Path, spec: Path, released: Path, changelog: Path, date: str) -> int:
    version = version_of(load(spec))
    base = latest_baseline(released)
    notes = "The first released contract." if base is None else release_notes(oasdiff, base, spec)
    if notes is None:
        return 1
    if changelog.exists() and f"\n## {version} " in changelog.read_text(encoding="utf-8"):
        print(f"{changelog} already has a {version} section: bump info.version", file=sys.stderr)
        return 1
    released.mkdir(parents=True, exist_ok=True)
    target = released / f"v{version.major}.yaml"
    shutil.copyfile(spec, target)
    add_section(changelog, f"## {version} ({date})\n\n{notes}\n")
    print(f"release-contract: released {version} to {target} and {changelog}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "release"])
    parser.add_argument("--oasdiff", type=Path, required=True)
    parser.add_argument("--spec", type=Path, default=Path("spec/openapi.yaml"))
    parser.add_argument("--released", type=Path, default=Path("docs/released"))
    parser.add_argument("--changelog", type=Path, default=Path("docs/CHANGELOG.md"))
    parser.add_argument("--date", default=datetime.datetime.now(datetime.UTC).date().isoformat())
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.oasdiff, args.spec, args.released)
    return release(args.oasdiff, args.spec, args.released, args.changelog, args.date)


if __name__ == "__main__":
    sys.exit(main())
