"""Take footnote bodies out of the token stream into ``chapter.env["notes"]``.

mdit-py-plugins puts every referenced note (``[^id]`` definitions, ``^[…]`` inline
notes, and our ``\\footnote{…}``) in a ``footnote_block`` at the end. The renderer
places them itself: as margin notes beside the citing paragraph and/or as end notes.
"""

from __future__ import annotations

from markdown_it.token import Token

from ..model import Book, Chapter
from .base import BuildContext


def extract_footnotes(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        _extract(chapter, ctx)


def _extract(chapter: Chapter, ctx: BuildContext) -> None:
    out: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    in_block = False
    for token in chapter.tokens:
        if token.type == "footnote_block_open":
            in_block = True
        elif token.type == "footnote_block_close":
            in_block = False
        elif token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
        elif token.type == "footnote_close":
            current = None
        elif token.type == "footnote_anchor":
            continue
        elif current is not None:
            current.append(token)
        elif not in_block:
            out.append(token)
    chapter.tokens = out
    chapter.env["notes"] = notes
    refs = chapter.env.get("footnotes", {}).get("refs", {})
    used = {meta.get("label") for meta in chapter.env.get("footnotes", {}).get("list", {}).values()}
    lines = chapter.env.get("footnote_lines", {})
    for label in refs:
        name = label.lstrip(":")
        if name not in used:
            ctx.diagnostics.warning(
                f"footnote [^{name}] is defined but never referenced; reference it or delete it",
                chapter.at(lines.get(name)),
            )
