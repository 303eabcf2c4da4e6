"""Drawn diagrams by content hash, in a folder a book can commit (like Quarto's ``_freeze``).

An entry is ``<source>-<tools>.svg``: ``source`` hashes the whole TeX document (block,
preamble, template), ``tools`` the engine and converter names and versions. A machine
with TeX looks up the exact entry and draws on a miss; a machine without TeX (CI, a
reader's checkout) takes any entry for the same source, so it builds the same book.

When the project's folder is read-only, entries are written to a fallback folder (the
per-user build cache) and read from both.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .document import TexDocument
from .svg import clean_svg

CLEANER_VERSION = "2"
"""Bump when :func:`~mlsysgen.diagrams.svg.clean_svg` changes what it writes."""
_MARK = f"(mlsysgen svg {CLEANER_VERSION})"
"""In an entry's header: which cleaning it had."""


def source_key(document: TexDocument) -> str:
    """Hash of the whole TeX document (24 hex digits)."""
    return _digest("tikz", document.text)[:24]


def tools_key(fingerprint: str) -> str:
    """Hash of the tools' names and versions and of the SVG cleaning (8 hex digits)."""
    return _digest(fingerprint, CLEANER_VERSION)[:8]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def writable(folder: Path) -> bool:
    """Whether the folder (or, if absent, its nearest existing parent) is writable by its
    owner's mode bits: a read-only source tree stays untouched even for root."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return bool(probe.stat().st_mode & stat.S_IWUSR)
    except OSError:
        return False


@dataclass
class DiagramStore:
    """Where SVGs are looked up (``folders``, in order) and written (``write_to``)."""

    folders: list[Path]
    write_to: Path | None
    _index: dict[str, list[Path]] | None = field(default=None, repr=False)
    texts: dict[Path, tuple[tuple[int, int, int], str]] = field(default_factory=dict, repr=False)
    """Entries read before, with their stat then: a long-running session passes the same
    dict to each build's store, which reads again only a file whose stat changed."""

    def get(self, source: str, tools: str | None) -> str | None:
        """The SVG drawn by ``tools`` (a :func:`tools_key`), or with ``tools`` None, the
        one any tools drew: preferably cleaned by this version, else cleaned again now."""
        older = None
        for path in self._entries(source):
            if tools is not None and not path.stem.endswith(f"-{tools}"):
                continue
            text = self._read(path)
            if text is None:
                continue
            header, _, svg = text.partition("<svg")
            if tools is not None or _MARK in header:
                return "<svg" + svg
            older = older or "<svg" + svg
        return clean_svg(older) if older is not None else None

    def _read(self, path: Path) -> str | None:
        try:
            st = os.stat(path)
            stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
            known = self.texts.get(path)
            if known is not None and known[0] == stamp:
                return known[1]
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        self.texts[path] = (stamp, text)
        return text

    def written_since(self, source: str, tools: str) -> str | None:
        """The exact entry, if another build (html and pdf built at once) wrote it after
        this store listed its folders."""
        if self.write_to is None:
            return None
        try:
            text = (self.write_to / f"{source}-{tools}.svg").read_text(encoding="utf-8")
        except OSError:
            return None
        return text[text.find("<svg") :]

    def put(self, source: str, tools: str, fingerprint: str, svg: str) -> Path | None:
        """Write an entry (atomically); None when there is nowhere to write."""
        if self.write_to is None:
            return None
        self.write_to.mkdir(parents=True, exist_ok=True)
        path = self.write_to / f"{source}-{tools}.svg"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        header = f"<!-- TikZ diagram drawn by {_comment(fingerprint)} {_MARK} -->\n"
        tmp.write_text(header + svg, encoding="utf-8")
        tmp.replace(path)
        if self._index is not None:
            self._index.setdefault(source, []).insert(0, path)
        return path

    def _entries(self, source: str) -> list[Path]:
        if self._index is None:
            self._index = {}
            for folder in self.folders:
                for path in sorted(_svgs(folder)):
                    self._index.setdefault(path.stem.rsplit("-", 1)[0], []).append(path)
        return self._index.get(source, [])


def _svgs(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.name.endswith(".svg")]
    except OSError:
        return []


def _comment(text: str) -> str:
    return text.replace("--", "- -")


__all__ = ["CLEANER_VERSION", "DiagramStore", "source_key", "tools_key", "writable"]
