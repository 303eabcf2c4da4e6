"""The PDF: the print document (:mod:`.print_doc`) laid out by WeasyPrint.

Steps: render the print book from the same fragments as the site → hand its drawings
to WeasyPrint as SVG files (:mod:`.pdf_drawings`) → cut it into pieces
(:mod:`.pdf_pieces`; a short book stays one document) → lay out and write the main
matter's pieces in child processes, page numbers continuing from piece to piece
(:mod:`.pdf_parallel`), copying each into the book as it is written (:mod:`.pdf_merge`)
→ once their page numbers are known, lay out the front piece (cover, copyright page,
contents with those numbers, front matter) beside the last pieces → put it first and
write ``<book>.pdf``. Every layout runs with :mod:`.pdf_speedups`. WeasyPrint's own
warnings (a link to a missing anchor, an image it cannot read) become build warnings;
the time of each step and the memory used are reported on the build's progress stream.

``MLSYSGEN_PDF_JOBS`` sets how many processes lay out pieces at once (default: the CPUs
this process may use, at most 4); ``1`` lays the book out as one document.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Book
from ..transforms.base import BuildContext
from ..volumes import edition_file_stem
from .pdf_drawings import Drawings
from .pdf_layout import (
    can_number_pieces,
    page_references,
    paused_gc,
    peak_mb,
    weasyprint_warnings,
)
from .pdf_parallel import (
    Memory,
    PieceFailed,
    PieceJob,
    PieceResult,
    lay_out_one,
    run_pieces,
    start_server,
)
from .pdf_pieces import Plan, plan_pieces, relink
from .pdf_speedups import speedups
from .print_doc import PrintBook, TocEntry, build_print_book
from .theme import Theme

_MAX_REPORTED = 20
"""WeasyPrint warnings shown one by one; the rest are counted."""
MAX_JOBS = 4
"""Most processes laying out pieces at once by default (each holds its piece's boxes)."""


@dataclass
class PdfTimings:
    """Seconds spent in each step, pages and peak memory (for progress and benchmarks)."""

    assemble: float = 0.0
    parse: float = 0.0
    """Parsing the HTML (one document only; a piece's parse is part of its layout)."""
    layout: float = 0.0
    write: float = 0.0
    merge: float = 0.0
    total: float = 0.0
    pages: int = 0
    pieces: int = 1
    jobs: int = 1
    peak_mb_layout: float = 0.0
    """Peak memory of this process once the pages are laid out, and at the end."""
    peak_mb: float = 0.0
    peak_child_mb: float = 0.0
    """The largest peak of one layout process (pieces only)."""
    peak_sum_mb: float = 0.0
    """The most memory this process and its layout processes held at one moment (sampled)."""
    details: list[str] = field(default_factory=list)
    """One line per piece."""

    def summary(self) -> str:
        rate = self.pages / self.total if self.total else 0.0
        head = f"pdf: {self.pages} pages in {self.total:.1f} s ({rate:.1f} pages/s)"
        if self.pieces == 1 and self.peak_child_mb:
            return (
                f"{head}: assemble {self.assemble:.1f} s, layout {self.layout:.1f} s, "
                f"write {self.write:.1f} s (one layout process); peak memory: this process "
                f"{self.peak_mb:.0f} MB, layout process {self.peak_child_mb:.0f} MB, "
                f"all at once {self.peak_sum_mb:.0f} MB"
            )
        if self.pieces == 1:
            return (
                f"{head}: assemble {self.assemble:.1f} s, parse {self.parse:.1f} s, "
                f"layout {self.layout:.1f} s, write {self.write:.1f} s; "
                f"peak memory {self.peak_mb_layout:.0f} MB after layout, {self.peak_mb:.0f} MB"
            )
        lines = [
            f"{head}, {self.pieces} pieces on {self.jobs} processes: assemble "
            f"{self.assemble:.1f} s, lay out pieces {self.layout:.1f} s, write pieces "
            f"{self.write:.1f} s, merge {self.merge:.1f} s; peak memory: this process "
            f"{self.peak_mb:.0f} MB, largest layout process {self.peak_child_mb:.0f} MB, "
            f"all at once {self.peak_sum_mb:.0f} MB",
        ]
        return "\n".join(lines + [f"  {line}" for line in self.details])


class PdfWriter:
    """Writes ``<book>.pdf`` into the staging folder."""

    name = "pdf"

    @staticmethod
    def prepare() -> None:
        """Start the layout processes' fork server while the book is still being read."""
        if _jobs() >= 2:
            start_server()

    def write(self, book: Book, ctx: BuildContext, out: Path) -> int:
        timings = PdfTimings()
        target = out / f"{edition_file_stem(book, ctx.data)}.pdf"
        jobs = _jobs(ctx)
        started = time.perf_counter()
        with (
            paused_gc(),
            weasyprint_warnings() as warnings,
            tempfile.TemporaryDirectory(prefix="mlsysgen-pdf-") as tmp,
        ):
            drawings = Drawings(Path(tmp))
            theme = Theme(book.project.root, cache_dir=ctx.data.get("cache_dir"))
            printed = build_print_book(book, ctx, theme)
            timings.assemble = _lap(started)
            plan = plan_pieces(printed.chapters, jobs)
            if plan is not None and not can_number_pieces():
                plan = None
            base = str(book.project.root) + "/"
            try:
                if plan is not None:
                    pieces = _write_in_pieces(printed, plan, base, target, jobs, timings, drawings)
                    warnings.messages += pieces
                else:
                    html = drawings.externalize(printed.html())
                    if jobs >= 2:
                        warnings.messages += _write_in_child(html, base, target, timings)
                    else:
                        write_pdf(html, book.project.root, target, timings)
            except PieceFailed as exc:
                ctx.diagnostics.error(f"pdf: {exc}")
                return 0
        timings.total = _lap(started)
        _report(warnings.messages, ctx)
        ctx.data["pdf_timings"] = timings
        stream = ctx.diagnostics.stream
        if stream is not None:
            print(timings.summary(), file=stream)
        return 1


def write_pdf(html_text: str, base: Path, target: Path, timings: PdfTimings) -> None:
    """Parse, lay out and write one print document, timing each step."""
    from weasyprint import HTML  # imported when used: a child process may do the work

    started = time.perf_counter()
    document = HTML(string=html_text, base_url=str(base) + "/")
    timings.parse = _lap(started)
    started = time.perf_counter()
    with speedups(), page_references():
        rendered = document.render()
        timings.layout = _lap(started)
        timings.pages = len(rendered.pages)
        timings.peak_mb_layout = _peak_mb()
        started = time.perf_counter()
        target.parent.mkdir(parents=True, exist_ok=True)
        rendered.write_pdf(target)
    timings.write = _lap(started)
    timings.peak_mb = _peak_mb()


def _write_in_child(html: str, base: str, target: Path, timings: PdfTimings) -> list[str]:
    """Lay out and write the whole document in one child process, whose fork server has
    imported WeasyPrint meanwhile (:meth:`PdfWriter.prepare`); returns its warnings."""
    memory = Memory()
    result = lay_out_one(PieceJob(html, base, target, continues=False), memory)
    timings.layout, timings.write = result.layout_seconds, result.write_seconds
    timings.pages = result.pages or 0
    timings.peak_mb = _peak_mb()
    timings.peak_child_mb, timings.peak_sum_mb = result.peak_mb, memory.peak_sum_mb
    return result.warnings


def _write_in_pieces(
    printed: PrintBook,
    plan: Plan,
    base: str,
    target: Path,
    jobs: int,
    timings: PdfTimings,
    drawings: Drawings,
) -> list[str]:
    """Lay out the main matter in pieces, then the front piece, and merge them; returns
    the warnings of every piece."""
    # Imported here: pypdf is needed only for a book laid out in pieces.
    from .pdf_merge import MergePiece, Merger

    folder = drawings.folder
    pieces = [
        PieceJob(
            relink(drawings.externalize(printed.html(group, front_pages=False))),
            base,
            folder / f"{n}.pdf",
        )
        for n, group in enumerate(plan.groups, 1)
    ]
    merger = Merger()
    started = time.perf_counter()

    def front(results: list[PieceResult]) -> PieceJob:
        timings.layout = _lap(started)
        html = printed.html(plan.front, toc_pages=_toc_pages(printed.toc, results))
        return PieceJob(relink(drawings.externalize(html)), base, folder / "front.pdf", False)

    def written(index: int, result: PieceResult) -> None:
        assert result.laid is not None
        merger.add(index, MergePiece(result.target, result.laid, result.pad_before))

    memory = Memory()
    results, opening = run_pieces(pieces, jobs, memory, front, written)
    timings.write = _lap(started) - timings.layout
    started = time.perf_counter()
    assert opening.laid is not None
    timings.pages, missing = merger.finish(MergePiece(opening.target, opening.laid), target)
    timings.merge = _lap(started)
    timings.pieces, timings.jobs = len(results) + 1, min(jobs, len(results))
    timings.peak_mb = _peak_mb()
    timings.peak_child_mb = max(r.peak_mb for r in [*results, opening])
    timings.peak_sum_mb = memory.peak_sum_mb
    timings.details = [
        f"{name}: {r.pages} pages from page {(r.offset or 0) + 1}, "
        f"layout {r.layout_seconds:.1f} s, write {r.write_seconds:.1f} s, "
        f"CPU {r.cpu_seconds:.1f} s, peak {r.peak_mb:.0f} MB"
        for name, r in [("front", opening), *((f"piece {n}", r) for n, r in enumerate(results, 1))]
    ]
    messages = [m for r in [opening, *results] for m in r.warnings]
    return messages + [f"link to #{name}, which is nowhere in the book" for name in missing]


def _toc_pages(toc: list[TocEntry], results: list[PieceResult]) -> dict[str, str]:
    """The printed page number of every contents entry laid out in a main-matter piece."""
    where: dict[str, str] = {}
    for result in results:
        if result.laid is None or result.offset is None:
            continue
        for name, (page, _x, _y) in result.laid.anchors.items():
            where.setdefault(name, str(result.offset + page + 1))
    pages: dict[str, str] = {}

    def visit(entries: list[TocEntry]) -> None:
        for entry in entries:
            number = where.get(entry.href.removeprefix("#"))
            if number is not None:
                pages[entry.href] = number
            visit(entry.children)

    visit(toc)
    return pages


def _jobs(ctx: BuildContext | None = None) -> int:
    """How many processes lay out pieces at once (``MLSYSGEN_PDF_JOBS``; a bad value is
    reported when ``ctx`` is given)."""
    value = os.environ.get("MLSYSGEN_PDF_JOBS", "").strip()
    if value:
        if value.isdigit() and int(value) > 0:
            return int(value)
        if ctx is not None:
            ctx.diagnostics.warning(
                f"pdf: MLSYSGEN_PDF_JOBS={value!r} is not a number of processes; "
                "set it to 1 or more (1: one document, no child processes)"
            )
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


def _lap(started: float) -> float:
    return time.perf_counter() - started


def _peak_mb() -> float:
    return peak_mb()


def _report(messages: list[str], ctx: BuildContext) -> None:
    unique = list(dict.fromkeys(messages))
    for message in unique[:_MAX_REPORTED]:
        ctx.diagnostics.warning(f"pdf: {message}")
    if len(unique) > _MAX_REPORTED:
        ctx.diagnostics.warning(
            f"pdf: {len(unique) - _MAX_REPORTED} more WeasyPrint warnings not shown"
        )
