"""Cut the print book into pieces that are laid out apart and merged afterwards.

The front piece holds the cover, copyright page, contents and front matter (roman page
numbers); the main matter is cut at chapter starts. Pieces are laid out in reading order
by a few processes at once (:mod:`.pdf_parallel`), so the cut is chosen for the time the
last one ends: of several cuts (into more or fewer runs of about equal cost, and the same
with the last runs halved, so that the processes run out of work together), the one
whose schedule, worked out from each chapter's estimated :func:`cost`, ends first.

A link to an id that is in another piece would be dropped by WeasyPrint ("No anchor"),
so it is written as a ``mlsysgen-dest:`` link instead, and :mod:`.pdf_merge` turns it
back into an internal link once every piece is in one file.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .print_doc import PrintChapter

DEST_SCHEME = "mlsysgen-dest:"
"""Marks a link whose target is in another piece (see :func:`relink`)."""

SPLIT_CHARS = 1_000_000
"""Main-matter cost (see :func:`cost`) below which the book is laid out as one document:
a piece costs a process start and its own fonts, which a short book does not win back."""
PIECE_CHARS = 800_000
"""Largest piece wanted (see :func:`cost`), for memory: the real book's pieces of up to
300 pages peak at 300 to 500 MB each; the whole book in one process took 4.5 GB."""
PIECE_OVERHEAD = 10_000
"""What starting one more piece costs (a process, the style sheet, fonts), in the units
of :func:`cost`."""

_ID = re.compile(r'\sid="([^"]+)"')
_MARKUP = re.compile(r"(<svg\b[^>]*>).*?</svg>|<[^>]+>", re.DOTALL)
"""A drawing (group 1: its opening tag) or any other tag."""
_LOCAL_HREF = re.compile(r'(\shref=")#([^"]+)"')
_RASTER = re.compile(r'<img\b[^>]*\ssrc="(file:[^"]+\.(?:png|jpe?g|gif))"', re.IGNORECASE)

# Weights of :func:`cost`, fitted to the real book's layout times (WeasyPrint 70): one
# unit is one character of text (about 22 µs to lay out and draw).
_DIAGRAM_CHAR = 1 / 15
"""A character of a TikZ diagram's SVG."""
_FORMULA = 140
"""One formula (a small SVG)."""
_PIXEL = 1 / 220
"""One pixel of a PNG or JPEG (decoded, and compressed again unless it is plain RGB)."""


@dataclass
class Plan:
    """Front matter and the runs of main-matter chapters, in reading order."""

    front: list[PrintChapter]
    groups: list[list[PrintChapter]]


def plan_pieces(chapters: list[PrintChapter], jobs: int) -> Plan | None:
    """How to cut the book for ``jobs`` processes; ``None``: lay it out as one document."""
    split = next((i for i, c in enumerate(chapters) if c.kind != "front"), len(chapters))
    front, main = chapters[:split], chapters[split:]
    costs = [cost(c) for c in main]
    if jobs < 2 or len(main) < 2 or sum(costs) < SPLIT_CHARS:
        return None
    return Plan(front, [[main[i] for i in run] for run in best_runs(costs, jobs)])


def best_runs(costs: list[float], jobs: int) -> list[list[int]]:
    """Chapter indexes in consecutive runs whose in-order schedule on ``jobs`` processes
    (see :func:`schedule_end`) ends first; of equally good cuts, the one with fewest runs."""
    least = min(len(costs), max(jobs, math.ceil(sum(costs) / PIECE_CHARS)))
    candidates = []
    for count in range(least, len(costs) + 1):
        runs = balanced_runs(costs, count)
        candidates += [runs, _halve_last(runs, costs, jobs)]
    fitting = [r for r in candidates if _fits(r, costs)] or candidates
    return min(fitting, key=lambda runs: (schedule_end(runs, costs, jobs), len(runs)))


def balanced_runs(costs: list[float], count: int) -> list[list[int]]:
    """Indexes of ``costs`` in ``count`` consecutive runs of about equal cost: each run
    ends at the chapter boundary nearest to its share of the total."""
    total = sum(costs)
    runs: list[list[int]] = [[]]
    done = 0.0
    for index, weight in enumerate(costs):
        share = total * len(runs) / count
        left = len(costs) - index
        if (
            runs[-1]
            and len(runs) < count
            and (done + weight / 2 > share or left <= count - len(runs))
        ):
            runs.append([])
        runs[-1].append(index)
        done += weight
    return runs


def _halve_last(runs: list[list[int]], costs: list[float], jobs: int) -> list[list[int]]:
    """``runs`` with each of the last ``jobs`` runs cut in two (where it has two chapters):
    smaller pieces at the end leave less time in which one process waits for the others."""
    keep = max(0, len(runs) - jobs)
    out = runs[:keep]
    for run in runs[keep:]:
        if len(run) < 2:
            out.append(run)
            continue
        halves = balanced_runs([costs[i] for i in run], 2)
        out += [[run[i] for i in half] for half in halves]
    return out


def _fits(runs: list[list[int]], costs: list[float]) -> bool:
    """Whether every run of several chapters stays within :data:`PIECE_CHARS`."""
    return all(len(run) == 1 or sum(costs[i] for i in run) <= PIECE_CHARS for run in runs)


def schedule_end(runs: list[list[int]], costs: list[float], jobs: int) -> float:
    """When the last run ends if each starts, in order, as soon as one of ``jobs``
    processes is free, and takes its cost plus :data:`PIECE_OVERHEAD`."""
    free = [0.0] * jobs
    end = 0.0
    for run in runs:
        start = heapq.heappop(free)
        finish = start + PIECE_OVERHEAD + sum(costs[i] for i in run)
        heapq.heappush(free, finish)
        end = max(end, finish)
    return end


def cost(chapter: PrintChapter) -> float:
    """How much work a chapter is to lay out and draw, in characters of text: its text,
    plus its drawings and images weighted by what they cost (the weights above)."""
    body = str(chapter.body)
    markup = diagram_chars = formulas = 0
    for match in _MARKUP.finditer(body):
        length = match.end() - match.start()
        markup += length
        if match[1] is None:
            continue
        if 'class="math-svg"' in match[1]:
            formulas += 1
        else:
            diagram_chars += length
    return (
        len(body)
        - markup
        + diagram_chars * _DIAGRAM_CHAR
        + formulas * _FORMULA
        + _pixels(_RASTER.findall(body)) * _PIXEL
    )


def _pixels(urls: list[str]) -> int:
    """Pixels of the raster images at ``urls`` (file URLs), from their headers."""
    from PIL import Image, UnidentifiedImageError

    total = 0
    for url in dict.fromkeys(urls):
        try:
            with Image.open(Path(unquote(urlparse(url).path))) as image:
                total += image.width * image.height
        except (OSError, UnidentifiedImageError):
            continue  # WeasyPrint reports it; it costs nothing to lay out
    return total


def relink(document: str) -> str:
    """Links to ids that are not in ``document`` point to ``mlsysgen-dest:<id>``."""
    ids = set(_ID.findall(document))

    def target(m: re.Match[str]) -> str:
        return m[0] if m[2] in ids else f'{m[1]}{DEST_SCHEME}{m[2]}"'

    return _LOCAL_HREF.sub(target, document)
