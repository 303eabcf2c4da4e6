"""A TeX error → whose fault it is: the block's code (and which of its lines), the
configured preamble (and which entry), or the TeX installation (a missing package)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from .document import TexDocument
from .texlog import TexError, missing_file


@dataclass(frozen=True)
class Explanation:
    """Where a TeX error came from, in the author's terms."""

    said: str
    """What TeX said, as TeX users know it: ``! Undefined control sequence.``"""
    cause: Literal["code", "preamble", "setup"]
    line: int | None = None
    """For ``code``: the 1-based line within the block, when TeX named one."""
    context: str = ""
    """For ``code``: the block's line up to where TeX stopped."""
    entry: str = ""
    """For ``preamble``: the preamble entry that failed."""
    where: str = ""
    """For ``setup``: the TeX file (a package) that failed, with its line."""


def explain(document: TexDocument, error: TexError) -> Explanation:
    """Place ``error`` (from compiling ``document``)."""
    said = f"! {error.message}"
    missing = missing_file(error)
    if missing is not None:
        # TeX names the line it reads next, not the \usepackage: find the entry by name.
        entry = document.loads(missing)
        if entry is not None:
            return Explanation(said, "preamble", entry=entry.strip())
        return Explanation(said, "setup")
    if error.file and os.path.basename(error.file) != "diagram.tex":
        return Explanation(said, "setup", where=f"{error.file}, line {error.line}")
    place = document.place(error.line) if error.line else None
    if place is not None and place.part == "preamble":
        return Explanation(said, "preamble", entry=place.text.strip())
    if place is not None and place.part == "code":
        return Explanation(said, "code", place.line, error.context.strip())
    return Explanation(said, "code")


__all__ = ["Explanation", "explain"]
