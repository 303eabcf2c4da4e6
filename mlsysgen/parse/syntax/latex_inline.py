"""Stray LaTeX in prose: layout commands are dropped, ``\\footnote{…}`` becomes a footnote.

Pandoc's ``raw_tex`` passes such commands to LaTeX output only; for HTML and EPUB
they vanish. The known layout commands (``\\noindent``, ``\\clearpage``,
``\\needspace{…}``, ``\\vspace*{…}``, ``\\medskip`` …) produce a ``latex_inline``
token (rendered as nothing, kept so the PDF writer may use it); any other command
stays visible text, because guessing would eat real content such as ``C:\\Users``.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from ._scan import matching_close

LAYOUT_COMMANDS = frozenset(
    [
        "noindent",
        "clearpage",
        "newpage",
        "cleardoublepage",
        "needspace",
        "vspace",
        "hspace",
        "medskip",
        "smallskip",
        "bigskip",
        "newline",
        "linebreak",
        "pagebreak",
        "nopagebreak",
        "hfill",
        "vfill",
        "centering",
        "raggedright",
        "FloatBarrier",
        "par",
        "indent",
    ]
)
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")


def latex_inline_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", "latex_inline", _latex_inline)


def _latex_inline(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "\\":
        return False
    m = _COMMAND.match(state.src, state.pos)
    if not m:
        return False
    name = m[1]
    if name == "footnote":
        return _footnote(state, m.end(), silent)
    if name not in LAYOUT_COMMANDS:
        return False
    end = _skip_args(state.src, m.end(), state.posMax)
    if not silent:
        token = state.push("latex_inline", "", 0)
        token.content = state.src[state.pos : end]
    state.pos = end
    # The command usually stands alone on its line; swallow the line break after it.
    while state.pos < state.posMax and state.src[state.pos] == " ":
        state.pos += 1
    if state.pos < state.posMax and state.src[state.pos] == "\n":
        state.pos += 1
    return True


def _skip_args(src: str, pos: int, limit: int) -> int:
    while pos < limit and src[pos] in "{[":
        close = matching_close(src, pos, limit)
        if close is None:
            break
        pos = close + 1
    return pos


def _footnote(state: StateInline, pos: int, silent: bool) -> bool:
    """``\\footnote{text}`` → an inline footnote, as mdit-py-plugins does for ``^[text]``."""
    if pos >= state.posMax or state.src[pos] != "{":
        return False
    close = matching_close(state.src, pos, state.posMax)
    if close is None:
        return False
    if not silent:
        refs = state.env.setdefault("footnotes", {})
        if "list" not in refs:
            refs["list"] = {}
        footnote_id = len(refs["list"])
        tokens: list = []
        state.md.inline.parse(state.src[pos + 1 : close], state.md, state.env, tokens)
        token = state.push("footnote_ref", "", 0)
        token.meta = {"id": footnote_id}
        refs["list"][footnote_id] = {"content": state.src[pos + 1 : close], "tokens": tokens}
    state.pos = close + 1
    return True
