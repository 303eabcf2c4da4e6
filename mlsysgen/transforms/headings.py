"""Headings: the chapter title (first H1), unique ids (Pandoc's auto-identifiers), and
the heading list that tables of contents and numbering use."""

from __future__ import annotations

import re
import unicodedata

from ..model import Book, Chapter, Heading
from .base import BuildContext
from .tokens import has_class, inline_text


def auto_id(text: str) -> str:
    """Pandoc's auto_identifiers: lowercase, drop punctuation but ``_-.``, spaces to hyphens,
    and nothing before the first letter."""
    text = unicodedata.normalize("NFC", text).lower()
    kept = "".join(c for c in text if c.isalnum() or c in "_-." or c.isspace())
    kept = re.sub(r"\s+", "-", kept.strip())
    kept = re.sub(r"^[^\w]+|^[\d_.-]+", "", kept)
    while kept and not kept[0].isalpha():
        kept = kept[1:]
    return kept or "section"


def process_headings(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        _chapter_headings(chapter)


def _chapter_headings(chapter: Chapter) -> None:
    tokens = chapter.tokens
    used = {str(t.attrGet("id")) for t in tokens if t.attrGet("id")}
    headings: list[Heading] = []
    title_at = None
    if chapter.meta.get("title"):
        chapter.title_text = str(chapter.meta["title"])
        chapter.id = _unique(auto_id(chapter.title_text), used)
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        level = int(token.tag[1])
        text = inline_text(inline).strip()
        hid = str(token.attrGet("id") or "")
        if not hid:
            hid = _unique(auto_id(text), used)
            token.attrSet("id", hid)
        unnumbered = has_class(token, "unnumbered") or token.attrGet("number") == "false"
        line = token.map[0] if token.map else 0
        if level == 1 and title_at is None and not chapter.title_text:
            title_at = i
            chapter.id = hid
            chapter.title_inline = inline
            chapter.title_text = text
            chapter.unnumbered = chapter.unnumbered or unnumbered
            continue
        headings.append(Heading(hid, level, inline, text, unnumbered=unnumbered, line=line))
    if title_at is not None:
        del tokens[title_at : title_at + 3]  # the page template shows the title
    elif not chapter.title_text:
        _title_without_h1(chapter, used)
    chapter.headings = headings


def _title_without_h1(chapter: Chapter, used: set[str]) -> None:
    title = chapter.meta.get("title")
    stem = chapter.source.path.stem
    chapter.title_text = str(title) if title else stem.replace("_", " ").replace("-", " ").title()
    chapter.id = _unique(auto_id(chapter.title_text), used)


def _unique(base: str, used: set[str]) -> str:
    candidate = base
    n = 1
    while candidate in used:
        candidate = f"{base}-{n}"
        n += 1
    used.add(candidate)
    return candidate
