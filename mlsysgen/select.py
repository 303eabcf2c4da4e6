"""Pick chapters by what authors type: a file stem (``intro``), a chapter id
(``sec-introduction``), or the start of a title (``"Data Eng"``); several with commas."""

from __future__ import annotations

import posixpath

from .errors import MlsysgenError
from .model import Book, Chapter


def select_chapters(book: Book, names: list[str]) -> list[Chapter]:
    """The chapters ``names`` pick, in reading order. Raises MlsysgenError for a name that
    picks none, listing what would have."""
    wanted: list[Chapter] = []
    for name in (n.strip() for raw in names for n in raw.split(",")):
        if not name:
            continue
        found = _match(book, name)
        if not found:
            stems = ", ".join(_stem(c) for c in book.chapters)
            raise MlsysgenError(
                f"no chapter matches '{name}'; use a file name, an id or the start of a "
                f"title (chapters: {stems})"
            )
        wanted += [c for c in found if c not in wanted]
    return [c for c in book.chapters if c in wanted]


def _match(book: Book, name: str) -> list[Chapter]:
    lowered = name.lower()
    for test in (
        lambda c: c.rel == name or _stem(c) == name,
        lambda c: c.id == name or c.id == f"sec-{name}",
        lambda c: c.title_text.lower().startswith(lowered),
    ):
        found = [c for c in book.chapters if test(c)]
        if found:
            return found
    return []


def _stem(chapter: Chapter) -> str:
    return posixpath.splitext(posixpath.basename(chapter.rel))[0]


__all__ = ["select_chapters"]
