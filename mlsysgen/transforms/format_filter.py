"""Quarto's conditional content: ``.content-visible`` / ``.content-hidden`` with
``when-format`` / ``unless-format``. Runs first, so ids are indexed per format.

Quarto's rule: ``html`` matches HTML and EPUB (an HTML-based format) but ``html:js``
matches only HTML with JavaScript; ``pdf`` matches PDF (here, WeasyPrint's print
document); ``epub`` only EPUB.
"""

from __future__ import annotations

from ..model import Book
from .base import BuildContext
from .tokens import block_end, has_class

_MATCHES = {
    "html": {"html", "html:js", "html5", "revealjs"},
    "epub": {"epub", "html", "epub3"},
    "pdf": {"pdf", "latex", "print"},
}


def format_matches(name: str, fmt: str) -> bool:
    """Does Quarto's format name ``name`` match the format being built?"""
    return name.strip() in _MATCHES.get(fmt, {fmt})


def filter_formats(book: Book, ctx: BuildContext) -> None:
    for chapter in book.chapters:
        chapter.meta = format_meta(chapter.meta, ctx.format)
        chapter.tokens = _filter(chapter.tokens, ctx.format)


def format_meta(meta: dict, fmt: str) -> dict:  # type: ignore[type-arg]
    """Front matter for one format: ``format: html: {title: …}`` overrides the top level."""
    formats = meta.get("format")
    if not isinstance(formats, dict):
        return meta
    specific = formats.get(fmt)
    if fmt == "pdf" and not isinstance(specific, dict):
        specific = formats.get("pdf") or formats.get("latex")
    return {**meta, **specific} if isinstance(specific, dict) else meta


def _filter(tokens: list, fmt: str) -> list:
    out = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "div_open" and (
            has_class(token, "content-visible") or has_class(token, "content-hidden")
        ):
            end = block_end(tokens, i)
            if _keep(token, fmt):
                # Keep the content, drop the wrapper (as Quarto does).
                out.extend(_filter(tokens[i + 1 : end], fmt))
            i = end + 1
            continue
        out.append(token)
        i += 1
    return out


def _keep(token, fmt: str) -> bool:  # type: ignore[no-untyped-def]
    visible = has_class(token, "content-visible")
    when = token.attrGet("when-format")
    unless = token.attrGet("unless-format")
    if when is not None:
        shown = format_matches(str(when), fmt)
    elif unless is not None:
        shown = not format_matches(str(unless), fmt)
    else:
        shown = True
    return shown if visible else not shown
