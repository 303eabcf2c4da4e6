"""Pandoc attributes after an image, a link or a code span: ``![c](x.png){#fig-x width=70%}``.

Uses the same attribute grammar as divs and headings (unquoted ``70%`` is valid, as
in Pandoc). The brace group must follow the element immediately.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from ..attrs import parse_attrs

_TARGETS = {"image", "link_close", "code_inline"}


def inline_attrs_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("shortcode", "inline_attrs", _inline_attrs)


def _inline_attrs(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{" or not state.tokens or state.pending:
        return False
    target = state.tokens[-1]
    if target.type not in _TARGETS:
        return False
    end = state.src.find("}", state.pos)
    if end < 0 or ("\n" in state.src[state.pos : end].strip("\n") and target.type != "image"):
        return False
    attrs = parse_attrs(state.src[state.pos + 1 : end].replace("\n", " "))
    if attrs is None:
        return False
    if not silent:
        if target.type == "link_close":
            target = _link_open(state)
        for key, value in attrs.to_token_attrs().items():
            target.attrSet(key, value)
        target.meta["attrs"] = attrs
    state.pos = end + 1
    return True


def _link_open(state: StateInline):  # type: ignore[no-untyped-def]
    depth = 0
    for token in reversed(state.tokens):
        depth += token.nesting
        if token.type == "link_open" and depth == 0:
            return token
    return state.tokens[-1]
