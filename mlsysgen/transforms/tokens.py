"""Small helpers for editing markdown-it's flat token stream as a tree."""

from __future__ import annotations

from collections.abc import Callable

from markdown_it.token import Token


def block_end(tokens: list[Token], start: int) -> int:
    """Index of the token that closes the block opened at ``start`` (itself if not an opener)."""
    if tokens[start].nesting != 1:
        return start
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def children_ranges(tokens: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    """The direct child blocks between ``start`` and ``end`` (exclusive) as (first, last) pairs."""
    ranges = []
    i = start
    while i < end:
        last = block_end(tokens, i)
        ranges.append((i, last))
        i = last + 1
    return ranges


def make(type_: str, tag: str, nesting: int, like: Token | None = None, **attrs: str) -> Token:
    """A new token, taking its source lines from ``like``."""
    token = Token(type_, tag, nesting)
    token.block = nesting != 0 or type_ == "html_block"
    if like is not None and like.map:
        token.map = list(like.map)
    for key, value in attrs.items():
        if value:
            token.attrSet(key, value)
    return token


_TEXT_TYPES = frozenset({"text", "code_inline", "math_inline", "math_display", "image"})


def inline_text(token: Token, xref: Callable[[Token], str] | None = None) -> str:
    """Plain text of an inline token (alt text, titles, search records).

    ``xref`` turns a cross-reference into text ("Figure 2.1"); without it the source
    form (``@fig-x``) is kept, as numbers are not known before indexing.
    """
    parts = []
    for child in token.children or []:
        if child.type in _TEXT_TYPES:
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "xref":
            parts.append(xref(child) if xref else child.content)
    return "".join(parts)


def has_class(token: Token, name: str) -> bool:
    return name in str(token.attrGet("class") or "").split()


def classes(token: Token) -> list[str]:
    return str(token.attrGet("class") or "").split()


def is_only_child_paragraph(tokens: list[Token], i: int, child_type: str) -> bool:
    """True if tokens[i] opens a paragraph whose only inline content is one ``child_type``."""
    if tokens[i].type != "paragraph_open" or i + 2 >= len(tokens):
        return False
    inline = tokens[i + 1]
    kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
    # attrs_plugin may leave a trailing softbreak when attributes sit on the next line.
    kids = [c for c in kids if c.type != "softbreak"]
    return len(kids) == 1 and kids[0].type == child_type
