"""``list``: the book's outline with numbers, files, word, figure and table counts.

The book goes through the normal read and transform pipeline (as for the HTML site, with
labs shown but not run and TikZ not drawn), so numbers are those of a build; then one row
per chapter, a heading row per volume and part, and a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .build import BuildOptions, read
from .diagnostics import Diagnostics
from .model import Book, Chapter
from .transforms.walk import inline_children

HEADERS = ("No.", "Chapter", "File", "Words", "Figures", "Tables")


@dataclass(frozen=True)
class Row:
    """One chapter's line of the listing."""

    number: str
    title: str
    file: str
    words: int
    figures: int
    tables: int


def list_book(root: Path) -> tuple[list[str], Diagnostics]:
    """The listing of the book in ``root``, and what reading it reported."""
    diagnostics = Diagnostics()
    reading = read(root, BuildOptions(labs="off"), diagnostics)
    # An outline needs no drawings: TikZ figures stay placeholders (counted the same), so
    # listing never waits for TeX, as labs="off" keeps it from running lab snippets.
    reading.project.config.diagrams.tikz = False
    book, _ = reading.transform("html", {})
    return format_listing(book), diagnostics


def format_listing(book: Book) -> list[str]:
    """Aligned rows: chapters under volume and part headings, then the total."""
    rows = [_row(c) for c in book.chapters]
    total = Row("", f"Total: {len(rows)} chapters", "", sum(r.words for r in rows),
                sum(r.figures for r in rows), sum(r.tables for r in rows))  # fmt: skip
    cells = [_cells(r) for r in [*rows, total]]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(HEADERS)]
    lines = [_line(HEADERS, widths)]
    current: tuple[str, str] = ("", "")
    for chapter, row_cells in zip(book.chapters, cells, strict=False):
        headings = (_volume(book, chapter), _group(book, chapter))
        # A heading is repeated when anything above it changed (a new volume's parts).
        lines += [h for i, h in enumerate(headings) if h and headings[: i + 1] != current[: i + 1]]
        current = headings
        lines.append(_line(row_cells, widths))
    lines.append(_line(cells[-1], widths))
    return lines


def _row(chapter: Chapter) -> Row:
    figures, tables = _figures_and_tables(chapter)
    return Row(chapter.number, chapter.title_text, chapter.rel, count_words(chapter),
               figures, tables)  # fmt: skip


def count_words(chapter: Chapter) -> int:
    """Words of running text: the title, paragraphs, headings, lists, tables, captions,
    callout titles and footnotes; code, math and raw HTML are not prose and do not count."""
    body = sum(len(t.content.split()) for t in inline_children(chapter) if t.type == "text")
    return len(chapter.title_text.split()) + body


def _figures_and_tables(chapter: Chapter) -> tuple[int, int]:
    """Top-level figures (sub-figures belong to theirs) and every table."""
    figures = tables = depth = 0
    for token in chapter.tokens:
        if token.type == "figure_open":
            figures += depth == 0 and token.meta.get("kind") == "fig"
            depth += 1
        elif token.type == "figure_close":
            depth -= 1
        elif token.type == "table_open":
            tables += 1
    return figures, tables


def _volume(book: Book, chapter: Chapter) -> str:
    if chapter.source.volume is None:  # shared pages: after the volumes, say they are shared
        return "Every volume" if book.volumes and chapter.source.role != "front" else ""
    volume = book.volumes[chapter.source.volume]
    return f"{volume.label}: {volume.title}"


def _group(book: Book, chapter: Chapter) -> str:
    source = chapter.source
    if source.part is not None:
        part = book.parts[source.part]
        return f"Part {part.number}: {part.title}"
    beside_parts = any(p.volume == source.volume for p in book.parts)
    return {
        "chapter": "Chapters outside the parts" if beside_parts else "",
        "appendix": book.project.config.crossref.appendices_title,
        "back": "Back matter",
        "extra": "Pages outside the navigation",
    }.get(source.role, "")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.number, row.title, row.file, f"{row.words:,}", str(row.figures), str(row.tables))


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    """Text columns left-aligned, counts right-aligned, two spaces between columns."""
    parts = [
        c.ljust(w) if i < 3 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(parts).rstrip()


__all__ = ["format_listing", "list_book"]
