"""TeX math with Pandoc's ``tex_math_dollars`` rules, plus bare LaTeX math environments.

Inline ``$…$``: the opening ``$`` must have a non-space character right after it (and
not another ``$``); the closing ``$`` must have a non-space character right before it
and must not be followed by a digit. A run of spaces or a line break followed by ``$``
ends the attempt, so ``costs $4.6 million and $5 more`` is plain text. ``\\x`` inside
math is skipped as a pair (``\\$`` never closes), ``\\text{…}`` may hold ``$``, and
``\\$`` outside math is a literal dollar (markdown-it's escape rule).

Display ``$$…$$``: anything up to the next ``$$`` within the paragraph, across line
breaks; it may sit mid-paragraph with prose straight after it. An optional Quarto
label follows the closing ``$$``: ``$$ E = mc^2 $$ {#eq-energy}``.

Tokens:

- ``math_inline`` (content: the TeX) for ``$…$``;
- ``math_display`` (inline token, content: the TeX, ``attrs["id"]`` from a label) for
  ``$$…$$`` inside a paragraph;
- ``math_block`` (block token, ``map`` = source lines) for a ``$$…$$`` that is a whole
  paragraph by itself, with the same optional label;
- ``math_block`` with ``meta["env"]`` (``gather*``, ``align``, …) for a bare
  ``\\begin{env}…\\end{env}`` starting a line outside ``$$``; content is the whole
  environment. It may interrupt a paragraph, as Pandoc's raw TeX does.

Pandoc never lets a list, heading or raw TeX line cut math short; CommonMark would, so
a paragraph whose math spans such a line is built by ``math_paragraph``.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from ._scan import matching_close

ENVIRONMENTS = (
    "gather*",
    "gather",
    "align*",
    "align",
    "equation*",
    "equation",
    "multline*",
    "multline",
)
_BEGIN = re.compile(r"\\begin\{(" + "|".join(re.escape(e) for e in ENVIRONMENTS) + r")\}")
_LABEL = re.compile(r"[ \t]*\{#([^\s{}]+)\}")
_TRAILING_LABEL = re.compile(r"[ \t]*(?:\{#([^\s{}]+)\}[ \t]*)?$")
_SPACE = " \t\n"
# A code or div fence is never swallowed into a "$$" body: there a stray "$$" is far
# likelier than TeX, and swallowing would hide code.
_FENCE = re.compile(r"`{3,}|~{3,}|:{3,}")
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*$")


def math_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.after("backticks", "math", _math_inline)
    md.block.ruler.before("fence", "math_block", _dollar_block)
    md.block.ruler.before(
        "fence", "math_env", _env_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    # Before "lheading" too: a lone "=" line inside "$$" is TeX, not a setext underline.
    md.block.ruler.before("lheading", "math_paragraph", _math_paragraph)


# --- scanners shared by the inline and block rules ----------------------------------------


def scan_inline(src: str, pos: int, end: int) -> int | None:
    """Index of the ``$`` closing the inline math opened at ``pos``, or None."""
    i = pos + 1
    if i >= end or src[i] in _SPACE or src[i] == "$":
        return None
    first = True
    while i < end:
        char = src[i]
        if char == "$" and not first:
            return None if i + 1 < end and src[i + 1] in "0123456789" else i
        first = False
        if char == "\\":
            i = _after_backslash(src, i, end)
            if i < 0:
                return None
        elif char in _SPACE:
            while i < end and src[i] in _SPACE:
                i += 1
            if i < end and src[i] == "$":
                return None
        else:
            i += 1
    return None


def scan_display(src: str, pos: int, end: int) -> int | None:
    """Index of the ``$$`` closing the display math opened at ``pos``, or None."""
    start = pos + 2
    if start >= end or src.startswith("$$", start):
        return None
    close = src.find("$$", start + 1, end)
    return None if close < 0 else close


def _after_backslash(src: str, i: int, end: int) -> int:
    """Position after ``\\x`` (or after a whole ``\\text{…}``); -1 at the end of input."""
    if src.startswith("\\text{", i):
        close = matching_close(src, i + 5, end)
        if close is not None:
            return close + 1
    return i + 2 if i + 1 < end else -1


def math_spans(src: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every ``$…$`` and ``$$…$$`` the inline rule will find."""
    spans: list[tuple[int, int]] = []
    end = len(src)
    i = 0
    while i < end:
        char = src[i]
        if char == "\\":
            i += 2
        elif char == "`":
            i = _after_code_span(src, i, end)
        elif char == "$":
            close = scan_display(src, i, end) if src.startswith("$$", i) else None
            if close is not None:
                spans.append((i, close + 2))
                i = close + 2
                continue
            close = scan_inline(src, i, end)
            if close is None:
                i += 1
                continue
            spans.append((i, close + 1))
            i = close + 1
        else:
            i += 1
    return spans


def _after_code_span(src: str, i: int, end: int) -> int:
    run = i
    while run < end and src[run] == "`":
        run += 1
    ticks = src[i:run]
    search = run
    while True:
        found = src.find(ticks, search, end)
        if found < 0:
            return run
        after = found + len(ticks)
        if after >= end or src[after] != "`":
            return after
        while after < end and src[after] == "`":
            after += 1
        search = after


# --- inline rule ------------------------------------------------------------------------


def _math_inline(state: StateInline, silent: bool) -> bool:
    src, pos, end = state.src, state.pos, state.posMax
    if src[pos] != "$":
        return False
    close = scan_display(src, pos, end) if src.startswith("$$", pos) else None
    if close is not None:
        label = _LABEL.match(src, close + 2, end)
        if not silent:
            token = _push(state, "math_display", "$$", src[pos + 2 : close])
            if label:
                token.attrSet("id", label[1])
        state.pos = label.end() if label else close + 2
        return True
    close = scan_inline(src, pos, end)
    if close is None:
        return False
    if not silent:
        _push(state, "math_inline", "$", src[pos + 1 : close])
    state.pos = close + 1
    return True


def _push(state: StateInline, kind: str, markup: str, content: str):  # type: ignore[no-untyped-def]
    token = state.push(kind, "math", 0)
    token.content = content
    token.markup = markup
    token.meta["line"] = state.src.count("\n", 0, state.pos)
    return token


# --- block rules ------------------------------------------------------------------------


def _paragraph_text(state: StateBlock, start: int) -> tuple[str, int]:
    """Text of the lines from ``start`` up to the next blank line, and that line."""
    stop = start
    while stop < state.lineMax and not state.isEmpty(stop):
        stop += 1
    return state.getLines(start, stop, state.blkIndent, False), stop


def _line_start(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _dollar_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``$$…$$`` that is a paragraph on its own: a ``math_block``."""
    if state.sCount[start] - state.blkIndent >= 4 or not _line_start(state, start).startswith("$$"):
        return False
    text, _ = _paragraph_text(state, start)
    text = text.lstrip(" \t")
    close = scan_display(text, 0, len(text))
    if close is None:
        return False
    line_end = text.find("\n", close)
    rest = text[close + 2 : len(text) if line_end < 0 else line_end]
    label = _TRAILING_LABEL.match(rest)
    if label is None:
        return False
    next_line = start + text.count("\n", 0, close) + 1
    if not _paragraph_ends(state, next_line):
        return False
    if not silent:
        token = state.push("math_block", "math", 0)
        token.content = text[2:close]
        token.markup = "$$"
        token.map = [start, next_line]
        if label[1]:
            token.attrSet("id", label[1])
    state.line = next_line
    return True


def _env_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A bare ``\\begin{gather*}…\\end{gather*}`` (or another math environment)."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    begin = _BEGIN.match(_line_start(state, start))
    if begin is None:
        return False
    text, _ = _paragraph_text(state, start)
    text = text.lstrip(" \t")
    close = _env_end(text, begin[1])
    if close is None:
        return False
    line_end = text.find("\n", close)
    label = _TRAILING_LABEL.match(text[close : len(text) if line_end < 0 else line_end])
    if label is None:
        return False
    if silent:
        return True
    next_line = start + text.count("\n", 0, close) + 1
    token = state.push("math_block", "math", 0)
    token.content = text[:close]
    token.markup = begin[1]
    token.meta["env"] = begin[1]
    token.map = [start, next_line]
    if label[1]:
        token.attrSet("id", label[1])
    state.line = next_line
    return True


def _env_end(text: str, env: str) -> int | None:
    """Index just past the ``\\end{env}`` matching the ``\\begin{env}`` at 0."""
    pattern = re.compile(r"\\(begin|end)\{" + re.escape(env) + r"\}")
    depth = 0
    for m in pattern.finditer(text):
        depth += 1 if m[1] == "begin" else -1
        if depth == 0:
            return m.end()
    return None


def _terminates(state: StateBlock, line: int) -> bool:
    """Would a paragraph-terminating rule start a new block at ``line``?"""
    old_parent = state.parentType
    state.parentType = "paragraph"
    try:
        rules = state.md.block.ruler.getRules("paragraph")
        return any(rule(state, line, state.lineMax, True) for rule in rules)
    finally:
        state.parentType = old_parent


def _paragraph_ends(state: StateBlock, line: int) -> bool:
    """Does a paragraph that reached ``line`` stop there (markdown-it's own test)?"""
    if line >= state.lineMax or state.isEmpty(line):
        return True
    if state.sCount[line] - state.blkIndent > 3 or state.sCount[line] < 0:
        return False
    return _terminates(state, line)


def _math_paragraph(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A paragraph whose math crosses a line that would otherwise end it.

    Returns False (leaving the stock paragraph rule to run) when nothing is crossed.
    """
    if silent:
        return False
    text, stop = _paragraph_text(state, start)
    if "$" not in text:
        return False
    inside = _lines_inside_math(text, start)
    line = start + 1
    crossed = False
    while line < stop:
        if state.sCount[line] - state.blkIndent > 3 or state.sCount[line] < 0:
            line += 1
            continue
        if line in inside:
            if not crossed and _cuts_paragraph(state, line):
                crossed = True
            if crossed and _line_opens_fence(state, line):
                break
        elif _terminates(state, line):
            break
        line += 1
    if not crossed:
        return False
    _push_paragraph(state, start, line)
    return True


def _cuts_paragraph(state: StateBlock, line: int) -> bool:
    return _is_setext_underline(state, line) or _terminates(state, line)


def _is_setext_underline(state: StateBlock, line: int) -> bool:
    if line >= state.lineMax or state.sCount[line] - state.blkIndent > 3:
        return False
    return _SETEXT_UNDERLINE.match(_line_start(state, line)) is not None


def _line_opens_fence(state: StateBlock, line: int) -> bool:
    return _FENCE.match(_line_start(state, line)) is not None


def _lines_inside_math(text: str, start: int) -> set[int]:
    """Source lines (after the first) that begin inside a math span of ``text``."""
    inside: set[int] = set()
    for begin, finish in math_spans(text):
        first = start + text.count("\n", 0, begin) + 1
        last = start + text.count("\n", 0, finish)
        inside.update(range(first, last + 1))
    return inside


def _push_paragraph(state: StateBlock, start: int, stop: int) -> None:
    """Emit the same tokens as markdown-it's paragraph rule for lines ``[start, stop)``."""
    content = mdTrim(state.getLines(start, stop, state.blkIndent, False))
    token = state.push("paragraph_open", "p", 1)
    token.map = [start, stop]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [start, stop]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.line = stop
