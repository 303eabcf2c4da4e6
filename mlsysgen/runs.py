"""Chapters after the chapter-scope passes, and their rendered fragments, kept on disk
between processes.

A build in a fresh process (the command line, ``build intro``) would otherwise redo every
chapter's passes (quizzes, figures, callouts, …) and render every chapter again although
only one changed. Each chapter of each format has one file per kind,
``runs/<format>/<chapter>.pickle``, ``outlines/<format>/<chapter>.pickle`` (the same run
cut down to what book passes read, for scoped builds: ``transforms.outline``) and
``rendered/<format>/<chapter>.pickle``, replaced
when the chapter changes, so the cache never grows with edits. A file opens with its
key on a line of its own: a stale entry is recognised without unpickling it.

The key covers the chapter's parse, the config, the command-line settings and the code
of mlsysgen and its plugins (the passes themselves); the declared dependencies are
checked by content hash on load, as for a run kept in memory.
"""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .fingerprint import FileHashes, digest_text, project_files, write_atomic
from .model import Chapter
from .transforms.outline import outline

_SCHEMA = 1


@dataclass
class ChapterRun:
    """A chapter after the chapter-scope transforms of one format, and what made it."""

    key: str
    chapter: Chapter
    problems: list[Diagnostic]
    dependencies: dict[Path, str | None]
    """Declared dependency → its content hash then."""

    def is_current(self, key: str, hashes: FileHashes) -> bool:
        """Made from the same inputs as a run with ``key`` would be, dependencies included."""
        return self.key == key and all(hashes.digest(p) == h for p, h in self.dependencies.items())

    def outlined(self) -> ChapterRun:
        """The same run with the chapter's outline (what a scoped build loads for the
        chapters it does not render)."""
        return ChapterRun(self.key, outline(self.chapter), self.problems, self.dependencies)


class ChapterStore:
    """One value per chapter in ``folder`` (a format's chapter runs, or its rendered
    fragments), each saved with the key it was made under."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, rel: str, key: str) -> Any:
        """The value stored for chapter ``rel`` if it was made under ``key``; else None."""
        try:
            with open(self._path(rel), "rb") as f:
                if f.readline().rstrip(b"\n").decode() != key:
                    return None
                return pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            return None  # missing, or written by another version: made again

    def save(self, rel: str, key: str, value: Any) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(self._path(rel), key.encode() + b"\n" + data)

    def _path(self, rel: str) -> Path:
        return self.folder / f"{digest_text(rel)}.pickle"


def code_key(plugins: list[str], hashes: FileHashes) -> str:
    """The content of mlsysgen's code and of every plugin's package: what the passes do."""
    folders = {Path(__file__).resolve().parent}
    for name in plugins:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            folders.add(Path(module.__file__).resolve().parent)  # type: ignore[arg-type]
    files = sorted(p for folder in folders for p in project_files(folder) if p.suffix == ".py")
    return digest_text(_SCHEMA, [(str(p), hashes.digest(p)) for p in files])


__all__ = ["ChapterRun", "ChapterStore", "code_key"]
