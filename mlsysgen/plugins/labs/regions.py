"""Regions of lab files: ``# region NAME`` … ``# endregion`` (the editor-foldable convention).

A lab with ``file=`` and ``region=`` runs the file from its start through the end of the
region: the lines before the region are hidden setup, the region is what the reader sees.
Files stay plain ``.py`` that pytest can import; the markers are ordinary comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = re.compile(r"^\s*#\s*region\b[ \t]*(\S*)")
_END = re.compile(r"^\s*#\s*endregion\b")


class RegionError(ValueError):
    """A region is missing or its markers do not pair up; the message says which."""


@dataclass(frozen=True)
class Region:
    """The part of a lab file a lab shows, and the setup before it."""

    setup: str
    """The file's lines before the region's start marker (run, not shown)."""
    code: str
    """The region's lines, without its markers and without nested markers."""
    first_line: int
    """1-based line of the region's first code line in the file."""


def region_names(text: str) -> list[str]:
    """Every region name in ``text``, in order."""
    return [m[1] for line in text.splitlines() if (m := _START.match(line)) and m[1]]


def read_region(text: str, name: str) -> Region:
    """The region ``name`` of a lab file's ``text``; the whole file when ``name`` is empty."""
    lines = text.splitlines(keepends=True)
    if not name:
        return Region("", _strip_markers(lines), 1)
    start = next((i for i, line in enumerate(lines) if _marker_name(line) == name), None)
    if start is None:
        known = ", ".join(region_names(text)) or "none"
        raise RegionError(f"no region '{name}' (regions there: {known})")
    end = _matching_end(lines, start)
    if end is None:
        raise RegionError(f"region '{name}' at line {start + 1} has no '# endregion'")
    body = _strip_markers(lines[start + 1 : end])
    return Region("".join(lines[:start]), body, start + 2)


def _marker_name(line: str) -> str | None:
    m = _START.match(line)
    return m[1] if m else None


def _matching_end(lines: list[str], start: int) -> int | None:
    depth = 0
    for i in range(start, len(lines)):
        if _START.match(lines[i]):
            depth += 1
        elif _END.match(lines[i]):
            depth -= 1
            if depth == 0:
                return i
    return None


def _strip_markers(lines: list[str]) -> str:
    """Nested region markers are folding hints for editors, not code the reader needs.
    They are blanked rather than removed, so line numbers still match the file."""
    return "".join("\n" if _START.match(line) or _END.match(line) else line for line in lines)
