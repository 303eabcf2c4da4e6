"""The lab result cache: ``<cache_dir>/labs/<sha256>.json`` plus figure files beside it.

The key is the sha256 of canonical JSON holding everything that can change what a lab
prints: the schema version, the runtime (CPython x.y, numpy, matplotlib; or mpy-cross
and the wasm interpreter), a hash of the lab package tree, the sources of the earlier
labs of its session, and the lab's own code, hidden setup and options. Prose around a
lab, its place in the chapter, and its golden block are not part of it.

``--labs=frozen`` looks results up by a second key without the runtime (``source/``), so
a machine without numpy can build from results made on one with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .results import Figure, Outcome

SCHEMA = 1


def canonical(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


@dataclass(frozen=True)
class Keys:
    """A lab's cache key, and its runtime-free key for ``--labs=frozen``."""

    full: str
    source: str


def lab_keys(
    runtime: dict[str, str], tree: str, prefix: list[dict[str, Any]], lab: dict[str, Any]
) -> Keys:
    """Keys of a lab: ``lab`` and each ``prefix`` entry hold code, setup and options."""
    source = {"schema": SCHEMA, "tree": tree, "prefix": prefix, "lab": lab}
    return Keys(sha256({**source, "runtime": runtime}), sha256(source))


class LabCache:
    """Outcomes on disk. Without a folder (``--no-cache``) it stores nothing."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.folder = cache_dir / "labs" if cache_dir is not None else None

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def load(self, keys: Keys, frozen: bool = False) -> Outcome | None:
        """The stored outcome for ``keys``; with ``frozen``, one made on any runtime."""
        if self.folder is None:
            return None
        found = self._load(keys.full)
        if found is None and frozen:
            ref = self.folder / "source" / keys.source
            if ref.is_file():
                found = self._load(ref.read_text(encoding="utf-8").strip())
        return found

    def _load(self, key: str) -> Outcome | None:
        assert self.folder is not None
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            figures = [
                Figure(
                    (self.folder / f"{key}-{n}.svg").read_text(encoding="utf-8"),
                    (self.folder / f"{key}-{n}.png").read_bytes(),
                )
                for n in range(1, int(data.get("figures", 0)) + 1)
            ]
            return Outcome.from_json(data["outcome"], figures)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, or a damaged entry: run the lab again

    def store(self, keys: Keys, outcome: Outcome) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for n, figure in enumerate(outcome.figures, 1):
            _write(self.folder / f"{keys.full}-{n}.svg", figure.svg.encode("utf-8"))
            _write(self.folder / f"{keys.full}-{n}.png", figure.png)
        record = {"schema": SCHEMA, "figures": len(outcome.figures), "outcome": outcome.to_json()}
        _write(self.folder / f"{keys.full}.json", canonical(record))
        (self.folder / "source").mkdir(exist_ok=True)
        _write(self.folder / "source" / keys.source, keys.full.encode())


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file, so a reader never sees half an entry."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
