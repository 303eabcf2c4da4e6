"""Build the project-wide index: number chapters, sections, figures, tables,
listings and equations, and record every referenceable id with its page.

Runs after all structural transforms and before anything is rendered, so every
chapter sees every other chapter's numbers (chapter-scoped builds included).
"""

from __future__ import annotations

import string

from markdown_it.token import Token

from ..model import Book, Chapter, Index, Label
from ..parse.syntax.references import XREF_KINDS
from .base import BuildContext


def collect_index(book: Book, ctx: BuildContext) -> None:
    _number_chapters(book)
    config = book.project.config
    chapter_prefix = config.crossref.chapters
    if chapter_prefix is None:
        chapter_prefix = ctx.options.number_sections
    index = Index()
    for chapter in book.chapters:
        _index_chapter(chapter, index, ctx, chapter_prefix)
    book.index = index


def _number_chapters(book: Book) -> None:
    """Chapters 1, 2, … and appendices A, B, … in reading order; both start again at a
    volume with ``numbering: restart`` (shared appendices go on from the last volume)."""
    numbered = 0
    appendix = 0
    volume: int | None = None
    for chapter in book.chapters:
        starts = chapter.source.volume
        if starts is not None and starts != volume:
            volume = starts
            if book.volumes[volume].config.numbering == "restart":
                numbered = appendix = 0
        role = chapter.source.role
        if role == "chapter" and not chapter.unnumbered:
            numbered += 1
            chapter.number = str(numbered)
        elif role == "appendix" and not chapter.unnumbered:
            chapter.number = string.ascii_uppercase[appendix % 26]
            appendix += 1
        else:
            chapter.number = ""


def _index_chapter(chapter: Chapter, index: Index, ctx: BuildContext, chapter_prefix: bool) -> None:
    options = ctx.options

    def add(label: Label) -> None:
        previous = index.labels.get(label.id)
        if previous is not None:
            ctx.diagnostics.error(
                f"duplicate id '{label.id}': also defined at {previous.location}; "
                "ids must be unique across the book, rename one",
                label.location,
            )
            return
        index.labels[label.id] = label

    add(Label(chapter.id, "sec", chapter.rel, chapter.href + "#" + chapter.id, chapter.number,
              chapter.title_inline, chapter.title_text, 1, chapter.at(0)))  # fmt: skip
    counters = [0] * 7
    for heading in chapter.headings:
        number = ""
        if (options.number_sections and chapter.number and not heading.unnumbered
                and heading.level <= options.number_depth):  # fmt: skip
            counters[heading.level] += 1
            for deeper in range(heading.level + 1, 7):
                counters[deeper] = 0
            number = ".".join([chapter.number, *(str(c) for c in counters[2 : heading.level + 1])])
        heading.number = number
        if _is_label(heading.id):
            add(Label(heading.id, "sec", chapter.rel, f"{chapter.href}#{heading.id}", number,
                      heading.inline, heading.title_text, heading.level,
                      chapter.at(heading.line)))  # fmt: skip
    _number_heading_tokens(chapter)
    counts: dict[str, int] = {}
    if "numbered" not in chapter.walks:
        chapter.walks["numbered"] = list(_numbered_items(chapter.tokens))
    for token, fid in chapter.walks["numbered"]:
        kind = fid.split("-", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
        number = (
            f"{chapter.number}.{counts[kind]}"
            if chapter_prefix and chapter.number
            else str(counts[kind])
        )
        add(Label(fid, kind, chapter.rel, f"{chapter.href}#{fid}", number,
                  None, "", 0, chapter.where(token)))  # fmt: skip


def _number_heading_tokens(chapter: Chapter) -> None:
    numbers = {h.id: h.number for h in chapter.headings}
    for token in chapter.tokens:
        if token.type == "heading_open":
            token.meta["number"] = numbers.get(str(token.attrGet("id")), "")


def _numbered_items(tokens: list[Token]):  # type: ignore[no-untyped-def]
    for token in tokens:
        fid = str(token.attrGet("id") or "")
        if token.type in ("figure_open", "table_open", "math_block") and _is_label(fid):
            yield token, fid
        elif token.type == "inline":
            for child in token.children or []:
                cid = str(child.attrGet("id") or "")
                if child.type == "math_display" and cid.startswith("eq-"):
                    yield child, cid


def _is_label(identifier: str) -> bool:
    prefix, dash, _ = identifier.partition("-")
    return bool(dash) and prefix in XREF_KINDS
