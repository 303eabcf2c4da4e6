"""Lay out one print document with WeasyPrint and describe what the pages hold.

Used for the whole book in one process, and for each piece of a book laid out in pieces
(:mod:`.pdf_parallel`): there, a piece's page numbers continue from the pieces before
it (:func:`page_numbers_from`), and :func:`describe` tells the parent where each anchor
and bookmark landed, so it can number the contents and link across pieces.
"""

from __future__ import annotations

import gc
import logging
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

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
    in front of it are, and learn where it starts only when it needs to. The margin boxes
    see the shifted counter, and so do the page references in the text
    (:func:`page_references`). The contents, which shows pages of every piece, is laid
    out last and apart.
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
        with page_references(lambda: shift[0] if shift else 0):
            yield
    finally:
        layout.make_margin_boxes = original


PAGE_NUMBERS = "__page_numbers"
"""WeasyPrint's key for the print CSS's ``--page-numbers`` property."""
_DIGITS = re.compile(r"\d+")


@contextmanager
def page_references(shift: Callable[[], int] = lambda: 0) -> Iterator[None]:
    """Fill in, once every page of the next layout is laid out, the page numbers of
    generated text marked ``--page-numbers: target`` in the print CSS (the quizzes'
    "See answer (p. 94)"): the printed number of the page holding the link's target,
    plus ``shift()`` (the pages before this piece of the book).

    WeasyPrint's own ``target-counter()`` does this by laying pages out again: a page
    linking forward is laid out again once its target's page is known, every page after
    one whose breaks moved, and then the pages linking back to any page laid out again;
    in a chapter with quizzes, most of it twice or three times. Here a placeholder
    number is laid out once and replaced afterwards (:func:`_retext`): what follows it
    on its line moves by the change in width, which is at most a digit or two.
    """
    import weasyprint.document as document

    original = document.layout_document

    def laid_out(html: Any, root_box: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        pages = list(original(html, root_box, context, *args, **kwargs))
        fill_page_references(context, pages, shift())
        return pages

    document.layout_document = laid_out
    try:
        yield
    finally:
        document.layout_document = original


def fill_page_references(context: Any, pages: list[Any], shift: int) -> None:
    """See :func:`page_references`; ``pages`` are the laid-out page boxes."""
    from weasyprint.formatting_structure.boxes import LineBox, ParentBox, TextBox

    anchors: dict[str, int] = {}
    references: list[list[Any]] = []  # the path from the page box to each reference
    path: list[Any] = []

    def visit(box: Any, number: int) -> None:
        anchor = box.style["anchor"] if box.style is not None else None
        if anchor:
            # A box split across pages: its last page, as target-counter() and the PDF's
            # destination for the anchor have it.
            anchors[anchor] = number
        if isinstance(box, TextBox):
            if _page_numbers(box) == "target":
                references.append([*path, box])
        elif isinstance(box, ParentBox):
            path.append(box)
            for child in box.children:
                visit(child, number)
            path.pop()

    for index, page in enumerate(pages):
        # The printed number: the page counter after layout (front matter restarts it).
        counters = context.page_maker[index + 1][3][1]
        visit(page, (counters.get("page") or [index + 1])[-1])
    for found in references:
        box = found[-1]
        href = box.element.get("href", "") if box.element is not None else ""
        number = anchors.get(unquote(href.removeprefix("#")))
        if number is not None:
            _widen(found, _retext(context, box, str(number + shift)), LineBox)


def _page_numbers(box: Any) -> str:
    """The ``--page-numbers`` value of generated text (``::before``/``::after``)."""
    tag = box.element_tag or ""
    if not tag.endswith(("::before", "::after")):
        return ""
    tokens = box.style[PAGE_NUMBERS]
    return str(getattr(tokens[0], "value", "")) if tokens else ""


def _retext(context: Any, box: Any, number: str) -> float:
    """Lay ``box``'s text out again with its number replaced; returns the change in width."""
    from weasyprint.text.line_break import split_first_line

    text = _DIGITS.sub(number, box.text, count=1)
    layout, *_rest, width, _height, _baseline = split_first_line(
        text, box.style, context, math.inf, box.justification_spacing
    )
    change = width - box.width
    box.text, box.pango_layout, box.width = text, layout, width
    return float(change)


def _widen(path: list[Any], change: float, line_box: type) -> None:
    """Widen the inline boxes holding the last box of ``path`` by ``change`` and move
    what follows each of them on the line."""
    for parent, child in zip(reversed(path[:-1]), reversed(path[1:]), strict=True):
        siblings = list(parent.children)
        for sibling in siblings[siblings.index(child) + 1 :]:
            sibling.translate(dx=change)
        if isinstance(parent, line_box):
            return
        parent.width += change


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
