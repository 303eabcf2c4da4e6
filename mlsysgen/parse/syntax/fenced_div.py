"""Pandoc fenced divs.

An opening fence is a line of three or more colons followed by attributes
(``::: {#fig-x .cls key="v"}``, ``:::{.x}``, ``::: { .x }``) or a bare word
(``::: callout-note``); it may end with more colons. A closing fence is a line of
three or more colons alone. Fences nest; a closer closes the nearest open div.
Because fenced code consumes its own lines first, ``:::`` inside code is never seen.

Tokens: ``div_open`` (attrs: id, class, key/values; ``meta["attrs"]`` the parsed
:class:`Attrs`) and ``div_close``. An unclosed div is reported and closed at the end.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..attrs import Attrs, parse_attrs
from ._report import report

_OPEN = re.compile(r"^(:{3,})\s*(?:\{(?P<attrs>.*)\}|(?P<word>[A-Za-z_][\w:-]*))\s*:*\s*$")
_CLOSE = re.compile(r"^:{3,}\s*$")
_STACK = "fenced_div_stack"


def fenced_div_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "fence",
        "fenced_div",
        _fenced_div,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.core.ruler.after("block", "fenced_div_close", _close_unclosed)


def _fenced_div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    line = state.src[pos : state.eMarks[start]]
    if not line.startswith(":::"):
        return False
    stack: list[int] = state.env.setdefault(_STACK, [])
    if _CLOSE.match(line):
        if silent:
            return bool(stack)
        if not stack:
            report(state.env, start, "stray ':::' closes no open div; remove it", "warning")
        else:
            opener = stack.pop()
            token = state.push("div_close", "div", -1)
            token.map = [opener, start + 1]
        state.line = start + 1
        return True
    match = _OPEN.match(line)
    attrs = _div_attrs(match)
    if attrs is None:
        return False
    if silent:
        return True
    token = state.push("div_open", "div", 1)
    token.map = [start, start + 1]
    token.markup = match[1] if match else ":::"
    token.meta["attrs"] = attrs
    for key, value in attrs.to_token_attrs().items():
        token.attrSet(key, value)
    stack.append(start)
    state.line = start + 1
    return True


def _div_attrs(match: re.Match[str] | None) -> Attrs | None:
    if match is None:
        return None
    if match["word"]:
        return Attrs(classes=[match["word"]])
    return parse_attrs(match["attrs"] or "")


def _close_unclosed(state: StateCore) -> None:
    stack: list[int] = state.env.pop(_STACK, [])
    for opener in reversed(stack):
        report(
            state.env,
            opener,
            "fenced div opened here is never closed; add a ':::' line where it ends",
        )
        token = Token("div_close", "div", -1)
        token.block = True
        token.map = [opener, opener + 1]
        state.tokens.append(token)
