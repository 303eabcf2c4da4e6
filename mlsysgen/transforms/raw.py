"""Raw content for one format: ``{=html}`` blocks pass through to HTML-based output,
``{=latex}`` blocks and stray LaTeX are dropped outside LaTeX, and paragraphs left
empty by that (a ``\\noindent`` line) disappear."""

from __future__ import annotations

from ..model import Book
from .base import BuildContext

_RAW_FOR = {"html": {"html", "html5"}, "epub": {"html", "html5", "epub"}, "pdf": {"html", "html5"}}


def apply_raw(book: Book, ctx: BuildContext) -> None:
    accepted = _RAW_FOR.get(ctx.format, set())
    for chapter in book.chapters:
        out = []
        tokens = chapter.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "fence" and "raw" in token.meta:
                if token.meta["raw"] in accepted:
                    token.type = "html_block"
                    out.append(token)
                i += 1
                continue
            if token.type == "paragraph_open" and _only_latex(tokens[i + 1]):
                i += 3
                continue
            out.append(token)
            i += 1
        chapter.tokens = out


def _only_latex(inline) -> bool:  # type: ignore[no-untyped-def]
    kids = inline.children or []
    return bool(kids) and all(
        k.type in ("latex_inline", "softbreak") or (k.type == "text" and not k.content.strip())
        for k in kids
    )
