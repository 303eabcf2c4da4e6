"""Merge the PDFs of a book laid out in pieces into one PDF (pypdf).

Steps: copy each main-matter piece's pages as soon as it is written and every piece
before it is in (:meth:`Merger.add`), with a blank page where a piece must open on a
right-hand page; once the front piece is written too (:meth:`Merger.finish`): put its
pages first → turn ``mlsysgen-dest:`` links (targets in another piece) into internal
links → write one table of named destinations for every anchor of every piece (links
inside a piece already name theirs) → build the bookmarks (outline) from what the pieces
reported, so parts, chapters and sections nest across pieces → copy the document
metadata of the front piece → label the pages (roman front matter, arabic from 1).
Copying the pages while the other pieces are still being laid out leaves only the front
piece and the writing of the file for the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    Fit,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .pdf_layout import LaidOut
from .pdf_pieces import DEST_SCHEME


@dataclass
class MergePiece:
    """One piece's PDF and what its layout reported."""

    pdf: Path
    laid: LaidOut
    pad_before: bool = False
    """Put a blank page before it (it must open on a right-hand page)."""


class Merger:
    """The book's PDF, built from its pieces as they come."""

    def __init__(self) -> None:
        self.writer = PdfWriter()
        self.waiting: dict[int, MergePiece] = {}
        """Pieces written before the ones in front of them, by position."""
        self.added: list[tuple[int, MergePiece]] = []
        """Main-matter pieces copied so far, with the page (from 0) each starts on."""

    def add(self, index: int, piece: MergePiece) -> None:
        """Copy main-matter piece ``index`` (from 0), and any waiting for it."""
        self.waiting[index] = piece
        while len(self.added) in self.waiting:
            piece = self.waiting.pop(len(self.added))
            if piece.pad_before:
                self.writer.add_blank_page(piece.laid.width, piece.laid.height)
            self.added.append((len(self.writer.pages), piece))
            for page in PdfReader(piece.pdf).pages:
                self.writer.add_page(page)

    def finish(self, front: MergePiece, target: Path) -> tuple[int, list[str]]:
        """Put the front piece first and write ``target``. Returns the page count, and
        the anchors that links point to but no piece holds."""
        assert not self.waiting, "a piece is missing"
        writer = self.writer
        reader = PdfReader(front.pdf)
        shift = len(reader.pages)
        for n, page in enumerate(reader.pages):
            writer.insert_page(page, n)
        if self.added and shift % 2 == 1:
            # The first chapter opens on a right-hand page.
            writer.insert_blank_page(front.laid.width, front.laid.height, shift)
            shift += 1
        pieces = [(0, front)] + [(start + shift, piece) for start, piece in self.added]
        anchors: dict[str, tuple[int, float, float]] = {}
        bookmarks: list[tuple[int, str, int, float, float]] = []
        for start, piece in pieces:
            for name, (page_number, x, y) in piece.laid.anchors.items():
                anchors.setdefault(name, (start + page_number, x, y))
            bookmarks += [
                (lv, label, start + n, x, y) for lv, label, n, x, y in piece.laid.bookmarks
            ]
        missing = _link_across_pieces(writer, anchors)
        _add_destinations(writer, anchors)
        _add_outline(writer, bookmarks)
        _copy_metadata(reader, writer)
        _label_pages(writer, [start for start, _ in pieces])
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as stream:
            writer.write(stream)
        return len(writer.pages), missing


def _link_across_pieces(writer: PdfWriter, anchors: dict[str, Any]) -> list[str]:
    """``mlsysgen-dest:<id>`` URI links become links to the named destination ``<id>``."""
    missing = []
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(DEST_SCHEME):
                continue
            name = unquote(uri[len(DEST_SCHEME) :])
            del annot["/A"]
            annot[NameObject("/Dest")] = TextStringObject(name)
            if name not in anchors:
                missing.append(name)
    return missing


def _add_destinations(writer: PdfWriter, anchors: dict[str, tuple[int, float, float]]) -> None:
    """One name tree of every anchor (sorted, as name trees must be)."""
    names = ArrayObject()
    pages = [page.indirect_reference for page in writer.pages]
    for name in sorted(anchors):
        page_number, x, y = anchors[name]
        names.append(TextStringObject(name))
        names.append(ArrayObject([pages[page_number], NameObject("/XYZ"),
                                  FloatObject(x), FloatObject(y), NumberObject(0)]))  # fmt: skip
    root = writer.root_object
    catalog_names = root.get("/Names")
    catalog_names = catalog_names.get_object() if catalog_names is not None else DictionaryObject()
    catalog_names[NameObject("/Dests")] = DictionaryObject({NameObject("/Names"): names})
    root[NameObject("/Names")] = catalog_names


def _add_outline(writer: PdfWriter, bookmarks: list[tuple[int, str, int, float, float]]) -> None:
    """Nest bookmarks by level: each under the last one of a lower level before it."""
    open_items: list[tuple[int, Any]] = []
    for level, label, page_number, x, y in bookmarks:
        while open_items and open_items[-1][0] >= level:
            open_items.pop()
        parent = open_items[-1][1] if open_items else None
        item = writer.add_outline_item(title=label, page_number=page_number, parent=parent,
                                       fit=Fit.xyz(left=x, top=y))  # fmt: skip
        open_items.append((level, item))


def _copy_metadata(first: PdfReader, writer: PdfWriter) -> None:
    """Title, authors, subject, dates, generator and language, as the first piece has them."""
    if first.metadata:
        writer.add_metadata({key: value for key, value in first.metadata.items()})
    language = first.root_object.get("/Lang")
    if language is not None:
        writer.root_object[NameObject("/Lang")] = TextStringObject(str(language))


def _label_pages(writer: PdfWriter, starts: list[int]) -> None:
    """Page labels as printed: roman numerals up to the main matter, then 1, 2, …"""
    main = starts[1] if len(starts) > 1 else len(writer.pages)
    if main > 0:
        writer.set_page_label(0, main - 1, style=PageLabelStyle.LOWERCASE_ROMAN, start=1)
    if main < len(writer.pages):
        writer.set_page_label(main, len(writer.pages) - 1, style=PageLabelStyle.DECIMAL, start=1)
