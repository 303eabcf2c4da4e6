"""Give every inline child token a source line (``map``), for ``path:line`` messages.

markdown-it records lines on block tokens only. Inside a paragraph each soft or hard
break, and each newline kept inside inline math or HTML, moves one line down; our
own rules record exact offsets in ``meta["line"]``, which win.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ._report import report


def source_lines_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("source_lines", _source_lines)


def _source_lines(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.map and token.children:
            _number(token.children, token.map[0], state)


def _number(children: list[Token], base: int, state: StateCore) -> int:
    """Set ``map`` on ``children`` starting at line ``base``; returns the lines consumed.

    Image captions (an image's own children) are numbered too: they hold citations.
    """
    offset = 0
    for child in children:
        line = base + child.meta.get("line", offset) if "line" in child.meta else base + offset
        child.map = [line, line + 1]
        if child.children:
            offset += _number(child.children, line, state)
        if child.type in ("softbreak", "hardbreak"):
            offset += 1
        elif child.type in ("math_inline", "math_display", "html_inline", "code_inline"):
            offset += child.content.count("\n")
        if "line" in child.meta:
            offset = max(offset, child.meta["line"])
        for severity, message in child.meta.pop("problems", ()):
            report(state.env, line, message, severity)
    return offset
