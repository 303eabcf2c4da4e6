"""The PDF: the print document (:mod:`.print_doc`) laid out by WeasyPrint.

Steps: build the print HTML from the same fragments as the site → parse it
(``HTML()``) → lay out the pages (``render()``) → write ``<book>.pdf``. WeasyPrint's
own warnings (a link to a missing anchor, an image it cannot read) become build
warnings; the time of each step is reported on the build's progress stream.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from weasyprint import HTML

from ..model import Book
from ..transforms.base import BuildContext
from .print_doc import build_print_html
from .theme import Theme

_MAX_REPORTED = 20
"""WeasyPrint warnings shown one by one; the rest are counted."""


@dataclass
class PdfTimings:
    """Seconds spent in each step, and the page count (for progress and benchmarks)."""

    assemble: float = 0.0
    parse: float = 0.0
    layout: float = 0.0
    write: float = 0.0
    pages: int = 0
    peak_mb_layout: float = 0.0
    """Peak memory of the process once the pages are laid out, and at the end."""
    peak_mb: float = 0.0

    def summary(self) -> str:
        total = self.assemble + self.parse + self.layout + self.write
        rate = self.pages / total if total else 0.0
        return (
            f"pdf: {self.pages} pages in {total:.1f} s ({rate:.1f} pages/s): "
            f"assemble {self.assemble:.1f} s, parse {self.parse:.1f} s, "
            f"layout {self.layout:.1f} s, write {self.write:.1f} s; "
            f"peak memory {self.peak_mb_layout:.0f} MB after layout, {self.peak_mb:.0f} MB"
        )


class PdfWriter:
    """Writes ``<book>.pdf`` into the staging folder."""

    name = "pdf"

    def write(self, book: Book, ctx: BuildContext, out: Path) -> int:
        timings = PdfTimings()
        target = out / f"{book.project.config.file_stem()}.pdf"
        with _paused_gc(), _weasyprint_warnings() as warnings:
            started = time.perf_counter()
            html_text = build_print_html(book, ctx, Theme(book.project.root))
            timings.assemble = _lap(started)
            write_pdf(html_text, book.project.root, target, timings)
        _report(warnings.messages, ctx)
        ctx.data["pdf_timings"] = timings
        stream = ctx.diagnostics.stream
        if stream is not None:
            print(timings.summary(), file=stream)
        return 1


def write_pdf(html_text: str, base: Path, target: Path, timings: PdfTimings) -> None:
    """Parse, lay out and write one print document, timing each step."""
    started = time.perf_counter()
    document = HTML(string=html_text, base_url=str(base) + "/")
    timings.parse = _lap(started)
    started = time.perf_counter()
    rendered = document.render()
    timings.layout = _lap(started)
    timings.pages = len(rendered.pages)
    timings.peak_mb_layout = _peak_mb()
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    rendered.write_pdf(target)
    timings.write = _lap(started)
    timings.peak_mb = _peak_mb()


def _lap(started: float) -> float:
    return time.perf_counter() - started


def _peak_mb() -> float:
    try:
        import resource
    except ImportError:  # not on Unix
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _Collected(logging.Handler):
    """A logging handler that keeps the messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _paused_gc() -> Iterator[None]:
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


@contextmanager
def _weasyprint_warnings() -> Iterator[_Collected]:
    """Collect WeasyPrint's warnings instead of letting them print."""
    logger = logging.getLogger("weasyprint")
    handler = _Collected()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _report(messages: list[str], ctx: BuildContext) -> None:
    unique = list(dict.fromkeys(messages))
    for message in unique[:_MAX_REPORTED]:
        ctx.diagnostics.warning(f"pdf: {message}")
    if len(unique) > _MAX_REPORTED:
        ctx.diagnostics.warning(
            f"pdf: {len(unique) - _MAX_REPORTED} more WeasyPrint warnings not shown"
        )
