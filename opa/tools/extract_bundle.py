"""Copy policy.wasm, data.json and .manifest out of an `opa build` tarball.

Members are stored with a leading "/"; they are read by name, never extracted
by path, and written world-readable so a Lambda layer can serve them.
"""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

WANTED = ("policy.wasm", "data.json", ".manifest")


def main() -> None:
    archive, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name.lstrip("/"): m for m in tar.getmembers() if m.isfile()}
        for name in WANTED:
            if name not in members:
                raise SystemExit(f"{archive}: {name} missing")
            source = tar.extractfile(members[name])
            assert source is not None
            target = out / name
            target.write_bytes(source.read())
            target.chmod(0o644)


if __name__ == "__main__":
    main()
