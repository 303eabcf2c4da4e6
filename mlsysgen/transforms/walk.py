"""Iterate over every inline token of a chapter, including those held in token meta
(callout titles) and in footnote bodies."""

from __future__ import annotations

from collections.abc import Iterator

from markdown_it.token import Token

from ..model import Chapter


def inline_tokens(chapter: Chapter) -> Iterator[Token]:
    yield from _inlines(chapter.tokens)
    for body in chapter.env.get("notes", {}).values():
        yield from _inlines(body)


def _inlines(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type == "inline":
            yield token
        title = token.meta.get("title") if token.nesting == 1 else None
        if isinstance(title, Token):
            yield title


def inline_children(chapter: Chapter) -> Iterator[Token]:
    for inline in inline_tokens(chapter):
        yield from inline.children or []


def final_inline_children(chapter: Chapter) -> list[Token]:
    """``inline_children``, listed once per chapter version. Only for book-scope passes:
    they run after the tree's structure is final, and an incremental build gives them the
    same chapter object again while its source is unchanged."""
    found = chapter.walks.get("inline_children")
    if found is None:
        found = chapter.walks["inline_children"] = list(inline_children(chapter))
    return found
