"""Cut the print book into pieces that are laid out apart and merged afterwards.

The front piece holds the cover, copyright page, contents and front matter (roman page
numbers); the main matter is cut at chapter starts into runs of about equal size. A link
to an id that is in another piece would be dropped by WeasyPrint ("No anchor"), so it is
written as a ``mlsysgen-dest:`` link instead, and :mod:`.pdf_merge` turns it back into
an internal link once every piece is in one file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .print_doc import PrintChapter

DEST_SCHEME = "mlsysgen-dest:"
"""Marks a link whose target is in another piece (see :func:`relink`)."""

SPLIT_CHARS = 1_000_000
"""Main-matter size (see :func:`size`) below which the book is laid out as one document:
a piece costs a process start and its own fonts, which a short book does not win back."""
PIECE_CHARS = 800_000
"""Largest piece wanted (see :func:`size`), for memory: the real book's 11 pieces (63 to 303
pages) peak at 240 to 600 MB each; the whole book in one process took 4.5 GB."""

_ID = re.compile(r'\sid="([^"]+)"')
_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_LOCAL_HREF = re.compile(r'(\shref=")#([^"]+)"')


@dataclass
class Plan:
    """Front matter and the runs of main-matter chapters, in reading order."""

    front: list[PrintChapter]
    groups: list[list[PrintChapter]]


def plan_pieces(chapters: list[PrintChapter], jobs: int) -> Plan | None:
    """How to cut the book for ``jobs`` processes; ``None``: lay it out as one document."""
    split = next((i for i, c in enumerate(chapters) if c.kind != "front"), len(chapters))
    front, main = chapters[:split], chapters[split:]
    total = sum(size(c) for c in main)
    if jobs < 2 or len(main) < 2 or total < SPLIT_CHARS:
        return None
    count = min(len(main), max(jobs, math.ceil(total / PIECE_CHARS)))
    return Plan(front, balanced_runs(main, count))


def balanced_runs(chapters: list[PrintChapter], count: int) -> list[list[PrintChapter]]:
    """``chapters`` in ``count`` consecutive runs of about equal size: each run ends at
    the chapter boundary nearest to its share of the total."""
    sizes = [size(c) for c in chapters]
    total = sum(sizes)
    runs: list[list[PrintChapter]] = [[]]
    done = 0
    for chapter, weight in zip(chapters, sizes, strict=True):
        share = total * len(runs) / count
        left = len(chapters) - sum(len(r) for r in runs)
        if (
            runs[-1]
            and len(runs) < count
            and (done + weight / 2 > share or left <= count - len(runs))
        ):
            runs.append([])
        runs[-1].append(chapter)
        done += weight
    return runs


def size(chapter: PrintChapter) -> int:
    """How much work a chapter is to lay out: its text, plus a tenth of its drawings' SVG
    markup (on the real book, time per page follows the text; inline SVG, three quarters
    of the HTML, costs about a tenth as much per character)."""
    body = str(chapter.body)
    drawings = sum(len(m) for m in _SVG.findall(body))
    return len(_TAG.sub("", _SVG.sub("", body))) + drawings // 10


def relink(document: str) -> str:
    """Links to ids that are not in ``document`` point to ``mlsysgen-dest:<id>``."""
    ids = set(_ID.findall(document))

    def target(m: re.Match[str]) -> str:
        return m[0] if m[2] in ids else f'{m[1]}{DEST_SCHEME}{m[2]}"'

    return _LOCAL_HREF.sub(target, document)
