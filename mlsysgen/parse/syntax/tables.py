"""Pandoc grid tables and table captions.

Grid table: a top border of ``+`` and ``-`` (colons allowed for alignment), rows of
``|``-separated cells, a ``+---+`` line between rows, and an optional header
separator ``+===+`` after the header row::

    +-----------+----------------+
    | Name      | Notes          |
    +:==========+===============:+
    | Widget    | - a list item  |
    |           | - another      |
    +-----------+----------------+

``:===`` aligns left, ``===:`` right, ``:===:`` centre; a table without a header row
takes its alignments from the top border. The lines of one cell between two borders
are joined, dedented and parsed as block Markdown; a cell that is one paragraph
becomes just its ``inline`` token (pandoc's Plain). Column and row spans are not
supported: a row whose ``|``/``+`` do not line up with the top border is reported
and shown as a code block, so no text is lost.

Tokens are those of markdown-it's own table rule (``table_open``, ``thead_open``,
``tr_open``, ``th_open``/``td_open`` with ``style="text-align:…"``, …);
``table_open.meta["colwidths"]`` holds the relative column widths (summing to 1).

Caption: a paragraph starting with ``: `` or ``Table: `` directly after a table (pipe
or grid) or, as pandoc allows, directly before one. A trailing ``{#tbl-id .class k=v}``
moves onto ``table_open``. The caption becomes ``table_caption_open`` (``<caption>``),
an ``inline`` token and ``table_caption_close`` right after ``table_open``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..attrs import split_trailing_attrs
from ._report import report

_TOP_BORDER = re.compile(r"\+(?:[-:]+\+)+")
_BORDER_LIKE = re.compile(r"\+[-=:+]*")
_CAPTION = re.compile(r"(?:[Tt]able:|:)[ \t]+(?=\S)")
# Pandoc expands tabs to 4 columns before measuring table columns.
_TAB_WIDTH = 4

MISSING_CLOSE = (
    "malformed grid table: the last row has no closing border; "
    "end the table with a '+---+' line like its top border"
)


def grid_table_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "table",
        "grid_table",
        _grid_table,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )


def table_caption_plugin(md: MarkdownIt) -> None:
    # markdown-it's pipe table ends its body at the first line that a "blockquote"
    # terminator accepts; without this a ': caption' line right under the table
    # would become one more table row.
    md.block.ruler.before(
        "table", "table_caption_break", _caption_breaks_table, {"alt": ["blockquote"]}
    )
    md.core.ruler.after("block", "table_caption", _table_captions)


# --- grid tables: block rule -------------------------------------------------------------


class _Malformed(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class _Row:
    first: int  # absolute source line of the row's first text line
    lines: list[str] = field(default_factory=list)


@dataclass
class _Grid:
    bounds: list[int]  # character positions of the column borders ('+' in the top line)
    aligns: list[str]
    header: list[_Row]
    body: list[_Row]

    @property
    def colwidths(self) -> list[float]:
        dashes = [b - a - 1 for a, b in pairwise(self.bounds)]
        total = sum(dashes)
        return [d / total for d in dashes]


def _grid_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    first = state.bMarks[start] + state.tShift[start]
    if first >= state.eMarks[start] or state.src[first] != "+":
        return False
    lines = _table_lines(state, start, end)
    if len(lines) < 2 or not _TOP_BORDER.fullmatch(lines[0]) or not lines[1].startswith("|"):
        return False
    if silent:
        return True
    try:
        grid = _parse_grid(lines, start)
    except _Malformed as err:
        report(state.env, err.line, err.message, "error")
        _push_raw(state, lines, start)
    else:
        _push_table(state, grid, start, start + len(lines))
    state.line = start + len(lines)
    return True


def _table_lines(state: StateBlock, start: int, end: int) -> list[str]:
    """The table's lines, indentation of the first line removed, tabs expanded."""
    indent = state.sCount[start]
    lines: list[str] = []
    for line in range(start, end):
        if state.sCount[line] < state.blkIndent:
            break
        text = state.getLines(line, line + 1, indent, False).expandtabs(_TAB_WIDTH).rstrip()
        if not (text.startswith("|") or _BORDER_LIKE.fullmatch(text)):
            break
        lines.append(text)
    return lines


def _parse_grid(lines: list[str], start: int) -> _Grid:
    bounds = [i for i, ch in enumerate(lines[0]) if ch == "+"]
    if not lines[-1].startswith("+"):
        raise _Malformed(start + len(lines) - 1, MISSING_CLOSE)
    rows: list[_Row] = []
    header_count = 0
    align_line = lines[0]
    current: _Row | None = None
    seen_separator = False
    for offset, text in enumerate(lines[1:], 1):
        line = start + offset
        if text.startswith("+"):
            _check_border(text, bounds, line)
            if current is not None:
                rows.append(current)
                current = None
            # Only the first separator can end the header (one header row, as pandoc).
            if "=" in text and not seen_separator:
                header_count = 1
                align_line = text
            seen_separator = True
        else:
            _check_content(text, bounds, line)
            current = current or _Row(line)
            current.lines.append(text)
    return _Grid(bounds, _aligns(align_line, bounds), rows[:header_count], rows[header_count:])


def _check_border(text: str, bounds: list[int], line: int) -> None:
    if len(text) != bounds[-1] + 1:
        raise _Malformed(line, _ragged(len(text), bounds[-1]))
    for pos in bounds:
        if text[pos] != "+":
            raise _Malformed(line, _misaligned(pos, "+"))
    extra = next((i for i, ch in enumerate(text) if ch == "+" and i not in bounds), None)
    if extra is not None:
        raise _Malformed(line, _extra_plus(extra))


def _check_content(text: str, bounds: list[int], line: int) -> None:
    if len(text) != bounds[-1] + 1:
        raise _Malformed(line, _ragged(len(text), bounds[-1]))
    for pos in bounds:
        if text[pos] != "|":
            raise _Malformed(line, _misaligned(pos, "|"))


def _misaligned(pos: int, char: str) -> str:
    return (
        f"malformed grid table: expected '{char}' at character {pos + 1} to line up with "
        "the '+' of the top border; align every '|' and '+' with the top border "
        "(column and row spans are not supported)"
    )


def _extra_plus(pos: int) -> str:
    return (
        f"malformed grid table: '+' at character {pos + 1} is not under a '+' of the "
        "top border; align every '|' and '+' with the top border "
        "(column and row spans are not supported)"
    )


def _ragged(length: int, right: int) -> str:
    return (
        f"malformed grid table: this line is {length} characters wide but the top border "
        f"is {right + 1}; pad or trim it so its last '|' or '+' lines up with the top border"
    )


def _aligns(text: str, bounds: list[int]) -> list[str]:
    aligns = []
    for a, b in pairwise(bounds):
        left, right = text[a + 1] == ":", text[b - 1] == ":"
        aligns.append("center" if left and right else "left" if left else "right" if right else "")
    return aligns


# --- grid tables: tokens -----------------------------------------------------------------


def _push_table(state: StateBlock, grid: _Grid, start: int, end: int) -> None:
    token = state.push("table_open", "table", 1)
    token.map = [start, end]
    token.meta["colwidths"] = grid.colwidths
    if grid.header:
        _push_section(state, "thead", "th", grid, grid.header)
    if grid.body:
        _push_section(state, "tbody", "td", grid, grid.body)
    token = state.push("table_close", "table", -1)
    token.map = [start, end]


def _push_section(state: StateBlock, tag: str, cell: str, grid: _Grid, rows: list[_Row]) -> None:
    span = [rows[0].first, rows[-1].first + len(rows[-1].lines)]
    state.push(f"{tag}_open", tag, 1).map = span
    for row in rows:
        row_span = [row.first, row.first + len(row.lines)]
        state.push("tr_open", "tr", 1).map = row_span
        for col, align in enumerate(grid.aligns):
            token = state.push(f"{cell}_open", cell, 1)
            token.map = row_span
            if align:
                token.attrs = {"style": f"text-align:{align}"}
            text, skipped = _cell_text(row.lines, grid.bounds[col], grid.bounds[col + 1])
            _push_cell(state, text, row.first + skipped)
            state.push(f"{cell}_close", cell, -1).map = row_span
        state.push("tr_close", "tr", -1).map = row_span
    state.push(f"{tag}_close", tag, -1).map = span


def _cell_text(lines: list[str], left: int, right: int) -> tuple[str, int]:
    """One cell's Markdown and how many blank lines were dropped above it.

    Lines are dedented by their common indentation (normally the one space of
    padding) rather than by exactly one space, so text that is pushed right, as in
    right-aligned cells, does not turn into an indented code block.
    """
    parts = [text[left + 1 : right].rstrip() for text in lines]
    indent = min((len(p) - len(p.lstrip(" ")) for p in parts if p), default=0)
    parts = [p[indent:] for p in parts]
    first = next((i for i, p in enumerate(parts) if p), len(parts))
    last = max((i for i, p in enumerate(parts) if p), default=-1)
    return "\n".join(parts[first : last + 1]), first


def _push_cell(state: StateBlock, text: str, line: int) -> None:
    tokens = state.tokens
    first = len(tokens)
    problems = state.env.setdefault("problems", [])
    known = len(problems)
    state.md.block.parse(text, state.md, state.env, tokens)
    for token in tokens[first:]:
        token.level += state.level
        if token.map:
            token.map = [token.map[0] + line, token.map[1] + line]
    # Problems found inside the cell were counted from the cell's first line.
    problems[known:] = [(line0 + line, sev, msg) for line0, sev, msg in problems[known:]]
    cell = tokens[first:]
    if len(cell) == 3 and cell[0].type == "paragraph_open" and cell[2].type == "paragraph_close":
        del tokens[first + 2]
        del tokens[first]
        tokens[first].level = state.level
    elif not cell:
        token = state.push("inline", "", 0)
        token.map = [line, line + 1]
        token.content = ""
        token.children = []


def _push_raw(state: StateBlock, lines: list[str], start: int) -> None:
    token = state.push("code_block", "code", 0)
    token.content = "\n".join(lines) + "\n"
    token.map = [start, start + len(lines)]
    token.meta["malformed"] = "grid_table"


# --- captions ----------------------------------------------------------------------------


def _caption_breaks_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if not silent or state.parentType != "table" or state.is_code_block(start):
        return False
    pos = state.bMarks[start] + state.tShift[start]
    return _CAPTION.match(state.src[pos : state.eMarks[start]]) is not None


def _table_captions(state: StateCore) -> None:
    tokens = state.tokens
    claimed: dict[int, int] = {}  # index of table_open -> index of its caption paragraph_open
    taken: set[int] = set()
    for open_i, close_i in _table_spans(tokens):
        for para in (open_i - 3, close_i + 1):
            if para not in taken and _is_caption(tokens, para, tokens[open_i].level):
                claimed[open_i] = para
                taken.add(para)
                break
    if not claimed:
        return
    dropped = {p + k for p in taken for k in range(3)}
    out: list[Token] = []
    for i, token in enumerate(tokens):
        if i in dropped:
            continue
        out.append(token)
        if i in claimed:
            out.extend(_caption_tokens(token, tokens[claimed[i] + 1]))
    state.tokens = out


def _table_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    """(table_open, table_close) index pairs, in document order of the openers."""
    stack: list[int] = []
    spans: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            stack.append(i)
        elif token.type == "table_close" and stack:
            spans.append((stack.pop(), i))
    return sorted(spans)


def _is_caption(tokens: list[Token], para: int, level: int) -> bool:
    if para < 0 or para + 2 >= len(tokens):
        return False
    opener, inline = tokens[para], tokens[para + 1]
    return (
        opener.type == "paragraph_open"
        and opener.level == level
        and inline.type == "inline"
        and _CAPTION.match(inline.content) is not None
    )


def _caption_tokens(table_open: Token, inline: Token) -> list[Token]:
    text = _CAPTION.sub("", inline.content, count=1)
    text, attrs = split_trailing_attrs(text)
    if attrs is not None:
        table_open.meta["attrs"] = attrs
        for key, value in attrs.to_token_attrs().items():
            table_open.attrSet(key, value)
    inline.content = text
    inline.children = []
    inline.level = table_open.level + 2
    opener = Token("table_caption_open", "caption", 1, map=inline.map, block=True)
    closer = Token("table_caption_close", "caption", -1, map=inline.map, block=True)
    opener.level = closer.level = table_open.level + 1
    return [opener, inline, closer]
