"""Lay out and write the pieces of the book in child processes, at most ``workers`` at a
time, numbering the main matter's pages as one book.

Each child parses and lays out its piece, tells the parent its page count, and waits for
the number of pages in front of it (meanwhile another child may start)
(:func:`.pdf_layout.page_numbers_from`): the parent knows it as soon as every earlier
piece has counted its pages. A piece starts on a right-hand page, so when the pages in
front of it are odd in number a blank page goes between (``pad_before``). The child then
reports where its anchors and bookmarks landed and writes its PDF, and the parent is
told (``written``: it copies the pages into the book meanwhile). Once every piece is laid
out, the last job (the front piece, whose contents shows their page numbers) starts at
once, beside the pieces still being written.

Children come from a fork server (or are spawned): they never hold a copy of the
parent's book, and the build's threads are never forked.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

from .pdf_layout import (
    LaidOut,
    describe,
    page_numbers_from,
    page_references,
    paused_gc,
    peak_mb,
    weasyprint_warnings,
)
from .pdf_speedups import speedups

_POLL_SECONDS = 0.25
"""How often the parent samples the memory of its children while it waits for them."""


class PieceFailed(RuntimeError):
    """A child process failed to lay out or write its piece."""


@dataclass
class PieceJob:
    """One piece to lay out: its HTML and the PDF file to write."""

    html: str
    base_url: str
    target: Path
    continues: bool = True
    """Its page numbers go on from the pieces in front of it (the main matter's); a piece
    numbered on its own (the front piece) is laid out straight through."""


@dataclass
class PieceResult:
    """What a child reported about its piece."""

    target: Path
    pages: int | None = None
    offset: int | None = None
    """Main-matter pages before this piece's first page (blank pages included)."""
    pad_before: bool = False
    """A blank page goes before this piece, so that it opens on a right-hand page."""
    laid: LaidOut | None = None
    layout_seconds: float = 0.0
    write_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_mb: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Memory:
    """Resident memory of the parent and its children, sampled while they run."""

    peak_sum_mb: float = 0.0
    """The largest sum over the parent and the children alive at one moment."""

    def sample(self, pids: list[int]) -> None:
        total = sum(_rss_mb(pid) for pid in [os.getpid(), *pids])
        self.peak_sum_mb = max(self.peak_sum_mb, total)


def run_pieces(
    jobs: list[PieceJob],
    workers: int,
    memory: Memory,
    last: Callable[[list[PieceResult]], PieceJob],
    written: Callable[[int, PieceResult], None],
) -> tuple[list[PieceResult], PieceResult]:
    """Lay out and write every piece of ``jobs``, then the job that ``last`` makes of
    their results once all are laid out. ``written`` hears of each piece of ``jobs`` as
    its PDF is written. Returns the results of ``jobs``, in order, and of the last job."""
    context = _context()
    results = [PieceResult(job.target) for job in jobs]
    results[0].offset = 0
    final: PieceResult | None = None
    waiting: set[int] = set()
    running: dict[Connection, tuple[int, Any]] = {}
    queued = list(range(len(jobs)))
    try:
        while queued or running:
            # A child waiting for its offset has laid out its pages and uses no CPU: one
            # more may start meanwhile (only one: each holds its piece's boxes).
            while queued and len(running) - len(waiting) < workers and len(running) <= workers:
                index = queued.pop(0)
                running.update([_start(context, jobs[index], index)])
            for ready in wait(list(running), timeout=_POLL_SECONDS):
                conn = cast(Connection, ready)
                index, process = running[conn]
                result = results[index] if index < len(jobs) else final
                assert result is not None
                if _receive(conn, index, process, result, waiting):
                    del running[conn]
                    process.join()
                    if index < len(jobs):
                        written(index, result)
            _number(results, waiting, {i: c for c, (i, _) in running.items()})
            memory.sample([p.pid for _, p in running.values() if p.pid is not None])
            if final is None and all(r.laid is not None for r in results):
                job = last(results)
                final = PieceResult(job.target)
                running.update([_start(context, job, len(jobs))])
    finally:
        for conn, (_, process) in running.items():
            process.terminate()
            process.join()
            conn.close()
    assert final is not None
    return results, final


def start_server() -> None:
    """Start the fork server now (where there is one), so that it imports WeasyPrint on
    another core while the build reads, transforms and renders the book: about a second
    that a short PDF (one chapter) would otherwise wait for."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def lay_out_one(job: PieceJob, memory: Memory) -> PieceResult:
    """Lay out and write one whole document in a child process (a book too short to cut
    into pieces): the child comes from the fork server, WeasyPrint already imported."""
    result = PieceResult(job.target)
    conn, (_, process) = _start(_context(), job, 0)
    try:
        done = False
        while not done:
            if conn.poll(_POLL_SECONDS):
                done = _receive(conn, 0, process, result, set())
            memory.sample([process.pid])
    finally:
        if process.is_alive() and not done:
            process.terminate()
        process.join()
        conn.close()
    return result


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # The server imports WeasyPrint once; each child forked from it starts with it.
        context.set_forkserver_preload([__name__, "weasyprint"])
    return context


def _start(context: Any, job: PieceJob, index: int) -> tuple[Connection, tuple[int, Any]]:
    parent_end, child_end = context.Pipe()
    process = context.Process(target=_child, args=(child_end, job), name=f"mlsysgen-pdf-{index}")
    process.start()
    child_end.close()
    return parent_end, (index, process)


def _receive(
    conn: Connection, index: int, process: Any, result: PieceResult, waiting: set[int]
) -> bool:
    """Handle one message from a child; True when the child is done."""
    try:
        message = conn.recv()
    except EOFError:
        process.join()
        raise PieceFailed(
            f"piece {index + 1} of the PDF: the layout process ended (exit status "
            f"{process.exitcode}) without a result; if memory ran out, set "
            "MLSYSGEN_PDF_JOBS=1 to lay the book out in one process"
        ) from None
    kind = message[0]
    if kind == "pages":
        result.pages = message[1]
        waiting.add(index)
    elif kind == "laid_out":
        result.laid, result.layout_seconds = message[1], message[2]
        result.pages = result.laid.pages
    elif kind == "written":
        result.write_seconds, result.cpu_seconds, result.peak_mb, result.warnings = message[1:]
        conn.close()
        return True
    else:
        raise PieceFailed(f"piece {index + 1} of the PDF failed:\n{message[1]}")
    return False


def _number(results: list[PieceResult], waiting: set[int], conns: dict[int, Connection]) -> None:
    """Work out each piece's offset once the pieces in front of it have counted their
    pages, and send it to the child waiting for it."""
    for index in range(1, len(results)):
        before = results[index - 1]
        if results[index].offset is None and before.offset is not None and before.pages is not None:
            end = before.offset + before.pages
            results[index].pad_before = end % 2 == 1
            results[index].offset = end + end % 2
    for index in sorted(waiting):
        offset = results[index].offset
        if offset is not None and index in conns:
            conns[index].send(offset)
            waiting.discard(index)


def _child(conn: Connection, job: PieceJob) -> None:
    """In the child: lay out the piece, report, write its PDF."""
    try:
        from weasyprint import HTML

        html, job.html = job.html, ""
        with paused_gc(), weasyprint_warnings() as warnings:
            started = time.perf_counter()

            def offset(pages: int) -> int:
                conn.send(("pages", pages))
                return int(conn.recv())

            numbering = page_numbers_from(offset) if job.continues else page_references()
            with speedups():
                with numbering:
                    document = HTML(string=html, base_url=job.base_url).render()
                del html
                conn.send(("laid_out", describe(document), time.perf_counter() - started))
                started = time.perf_counter()
                document.write_pdf(job.target)
                written = time.perf_counter() - started
            conn.send(("written", written, _cpu_seconds(), peak_mb(), warnings.messages))
    except BaseException:  # reported to the parent, which fails the build
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _cpu_seconds() -> float:
    """CPU time this process has used (user and system)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (0 where /proc is not there)."""
    try:
        resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return resident * os.sysconf("SC_PAGE_SIZE") / 2**20
