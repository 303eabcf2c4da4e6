"""Pandoc heading attributes: ``## Title {#sec-id .unnumbered}``.

Moves a trailing attribute block from the heading text onto ``heading_open``
(``id``, ``class``, key/values; ``meta["attrs"]``). Runs after block parsing, before
inline parsing, so the text that is left is parsed as usual.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from ..attrs import split_trailing_attrs


def heading_attrs_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("block", "heading_attrs", _heading_attrs)


def _heading_attrs(state: StateCore) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        text, attrs = split_trailing_attrs(inline.content)
        if attrs is None:
            continue
        inline.content = text
        token.meta["attrs"] = attrs
        for key, value in attrs.to_token_attrs().items():
            token.attrSet(key, value)
