"""Lay out one print document with WeasyPrint and describe what the pages hold.

Used for the whole book in one process, and for each piece of a book laid out in pieces
(:mod:`.pdf_parallel`): there, a piece's page numbers continue from the pieces before
it (:func:`page_numbers_from`), and :func:`describe` tells the parent where each anchor
and bookmark landed, so it can number the contents and link across pieces.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

PT_PER_PX = 0.75
"""PDF points per CSS pixel (72 / 96), as WeasyPrint writes them."""


@dataclass
class LaidOut:
    """Where things landed in one laid-out document (positions in PDF points, from the
    bottom left of the page, as PDF destinations give them)."""

    pages: int
    anchors: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    """Anchor name → (0-based page, x, y)."""
    bookmarks: list[tuple[int, str, int, float, float]] = field(default_factory=list)
    """(level, label, 0-based page, x, y) in document order."""
    width: float = 0.0
    """Page size in points (the size of a blank page put between pieces)."""
    height: float = 0.0


def describe(document: Any) -> LaidOut:
    """The anchors and bookmarks of a rendered WeasyPrint ``Document``, page by page."""
    pages = document.pages
    laid = LaidOut(len(pages))
    if pages:
        laid.width, laid.height = pages[0].width * PT_PER_PX, pages[0].height * PT_PER_PX
    for number, page in enumerate(pages):
        for name, (x, y, *_rest) in page.anchors.items():
            # The first occurrence wins, as in WeasyPrint's own links.
            laid.anchors.setdefault(name, (number, x * PT_PER_PX, (page.height - y) * PT_PER_PX))
        for level, label, (x, y), _state in page.bookmarks:
            laid.bookmarks.append(
                (level, label, number, x * PT_PER_PX, (page.height - y) * PT_PER_PX)
            )
    return laid


@contextmanager
def page_numbers_from(offset: Callable[[int], int]) -> Iterator[None]:
    """Number the pages of the next layout from ``offset(pages) + 1`` in their margins.

    WeasyPrint lays out every page first and the margin boxes (running headers and page
    numbers) last, from each page's counter state. The offset is asked for there, once,
    with the document's page count: a piece of a book can be laid out before the pieces
    in front of it are, and learn where it starts only when it needs to. Only the margin
    boxes see the shifted counter; nothing in the body reads the page number of the
    piece's own pages (the contents, which does, is laid out last and apart).
    """
    import weasyprint.layout as layout

    original = layout.make_margin_boxes
    shift: list[int] = []

    def shifted(context: Any, page: Any, state: Any) -> Any:
        if not shift:
            shift.append(offset(len(context.page_maker) - 1))
        counters = state[1]
        if shift[0] and "page" in counters:
            counters = {**counters, "page": [value + shift[0] for value in counters["page"]]}
            state = (state[0], counters, *state[2:])
        return original(context, page, state)

    layout.make_margin_boxes = shifted
    try:
        yield
    finally:
        layout.make_margin_boxes = original


def can_number_pieces() -> bool:
    """Whether this WeasyPrint lays out margin boxes where :func:`page_numbers_from`
    hooks in (else the book is laid out as one document)."""
    try:
        import weasyprint.layout as layout
    except (ImportError, OSError):
        return False
    return callable(getattr(layout, "make_margin_boxes", None))


class Collected(logging.Handler):
    """A logging handler that keeps the messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[Collected]:
    """Collect WeasyPrint's warnings instead of letting them print."""
    logger = logging.getLogger("weasyprint")
    handler = Collected()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@contextmanager
def paused_gc() -> Iterator[None]:
    """Collect garbage less often while WeasyPrint runs: it allocates millions of boxes
    and few cycles, and the default collector passes over them cost a tenth to a quarter
    of the layout time. Everything alive before is frozen out of the collector's view;
    young objects are still collected, so memory stays as with the defaults (disabling
    the collector outright cost ~250 MB more on the real book)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    try:
        import resource
    except ImportError:  # not on Unix
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
