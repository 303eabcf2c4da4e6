"""A chapter's outline: what book-scope passes read of a chapter that a build does not
render.

A chapter-scoped build (``build intro``) still numbers, indexes and checks the whole
book, but loading every other chapter's full tree to do so would cost more than
rendering the one asked for. So each chapter run is also stored as an outline, which
such a build loads instead for the chapters it does not render. The outline keeps the
chapter's front matter, title, headings and environment, and of its tokens only:

- every token with an id (anchors; numbered figures, tables, listings, equations), and
  figures and their captions as containers (TikZ drawings are named after them);
- code fences, raw HTML blocks, display math and labs;
- inline tokens cut down to the children book passes look at: cross-references,
  citations, links, images, raw HTML, and any child with an id;
- callout titles and footnote bodies, cut down the same way.

Every kept opening token keeps its closing one, so blocks still nest. Text, emphasis,
lists, table cells and quiz bodies are left out: an outline is about a tenth of the tree.
A book-scope pass (a plugin's too) must not need more than this from a chapter whose
``outline`` is true, and must not draw or render anything for it; writers are never
given one to render.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from markdown_it.token import Token

from ..model import Chapter

_CONTAINERS = frozenset({"figure_open", "figcaption_open"})
_LEAVES = frozenset({"fence", "html_block", "math_block", "lab"})
_CHILDREN = frozenset({"xref", "cite", "link_open", "image", "html_inline"})


def outline(chapter: Chapter) -> Chapter:
    """The chapter's outline (a new Chapter; ``chapter`` is left as it is)."""
    env: dict[str, Any] = {k: v for k, v in chapter.env.items() if k not in ("notes", "references")}
    notes = chapter.env.get("notes")
    if notes:
        env["notes"] = {name: _reduce(body) for name, body in notes.items()}
    return dataclasses.replace(chapter, tokens=_reduce(chapter.tokens), env=env, walks={},
                               outline=True)  # fmt: skip


def _reduce(tokens: list[Token]) -> list[Token]:
    kept: list[Token] = []
    # For each open block: None if its opening token was dropped, else the meta it kept
    # (a closing token may share its opener's meta, which then must not bring back the
    # full title).
    opened: list[dict[str, Any] | None] = []
    for token in tokens:
        if token.nesting == -1:
            meta = opened.pop() if opened else None
            if meta is not None:
                same = token.meta is not meta and "title" in token.meta
                kept.append(dataclasses.replace(token, meta=meta) if same else token)
            continue
        if token.type == "inline":
            inline = _reduce_inline(token)
            if inline is not None:
                kept.append(inline)
            continue
        keep = bool(token.attrGet("id")) or token.type in _CONTAINERS or token.type in _LEAVES
        title = token.meta.get("title") if token.nesting == 1 else None
        if isinstance(title, Token):
            short = _reduce_inline(title)
            if short is not None:
                token = dataclasses.replace(token, meta={**token.meta, "title": short})
                keep = True
        if keep:
            kept.append(token)
        if token.nesting == 1:
            opened.append(token.meta if keep else None)
    return kept


def _reduce_inline(token: Token) -> Token | None:
    children = [c for c in token.children or () if c.type in _CHILDREN or c.attrGet("id")]
    if not children:
        return None
    return dataclasses.replace(token, children=children, content="")


__all__ = ["outline"]
