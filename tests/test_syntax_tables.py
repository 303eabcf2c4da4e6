"""Pandoc grid tables and table captions (mlsysgen.parse.syntax.tables)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import read_fixture_file

from mlsysgen.parse.attrs import Attrs
from mlsysgen.parse.syntax.tables import grid_table_plugin, table_caption_plugin

FIXTURES = Path(__file__).parent / "fixtures" / "syntax"
GRID_CASES = read_fixture_file(FIXTURES / "grid_tables.md")
CAPTION_CASES = read_fixture_file(FIXTURES / "table_captions.md")


def make_md() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .use(grid_table_plugin)
        .use(table_caption_plugin)
    )


def parse(text: str) -> tuple[list[Token], list[tuple[int, str, str]]]:
    env: dict = {}
    tokens = make_md().parse(text, env)
    return tokens, env.get("problems", [])


def first(tokens: list[Token], kind: str) -> Token:
    return next(t for t in tokens if t.type == kind)


@pytest.mark.parametrize(("line", "title", "text", "expected"), GRID_CASES + CAPTION_CASES)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert make_md().render(text) == expected


# Fixtures that check that our rules leave other syntax alone.
UNTOUCHED = {
    "a lone border line is not a table",
    "plus list and indented code stay what they are",
    "colon paragraphs away from tables stay paragraphs",
    "blockquote lazy continuation is not cut by a colon line",
}


@pytest.mark.parametrize(("line", "title", "text", "expected"), GRID_CASES + CAPTION_CASES)
def test_fixture_needs_the_plugins(line: int, title: str, text: str, expected: str) -> None:
    """Every other fixture renders differently without our rules, so it tests them."""
    if title in UNTOUCHED:
        pytest.skip("fixture checks that something is left alone")
    plain = MarkdownIt("commonmark", {"html": True}).enable("table")
    assert plain.render(text) != expected


def test_rules_are_registered() -> None:
    md = make_md()
    block_rules = md.block.ruler.get_active_rules()
    assert block_rules.index("grid_table") < block_rules.index("table")
    core_rules = md.core.ruler.get_active_rules()
    assert (
        core_rules.index("block") < core_rules.index("table_caption") < core_rules.index("inline")
    )


# --- tokens ------------------------------------------------------------------------------

TWO_ROWS = """\
Intro paragraph.

+--------+------------------+
| Name   | Notes            |
+========+==================+
| alpha  | first line       |
+--------+------------------+
| beta   |                  |
|        | - item one       |
|        | - item **two**   |
+--------+------------------+
"""


def test_token_types_match_the_pipe_table_rule() -> None:
    tokens, _ = parse(TWO_ROWS)
    skip = ("bullet", "list", "paragraph")
    types = [t.type for t in tokens if t.nesting != 0 and not t.type.startswith(skip)]
    assert types == [
        "table_open",
        *["thead_open", "tr_open", "th_open", "th_close", "th_open", "th_close", "tr_close"],
        "thead_close",
        "tbody_open",
        *["tr_open", "td_open", "td_close", "td_open", "td_close", "tr_close"] * 2,
        "tbody_close",
        "table_close",
    ]


def test_maps_are_absolute_source_lines() -> None:
    tokens, _ = parse(TWO_ROWS)
    inlines = {t.content: t.map for t in tokens if t.type == "inline"}
    assert inlines["Name"] == [3, 4]
    assert inlines["first line"] == [5, 6]
    # A cell starting one line down, its second list item two lines down.
    assert inlines["item one"] == [8, 9]
    assert inlines["item **two**"] == [9, 10]
    assert first(tokens, "table_open").map == [2, 11]
    assert first(tokens, "bullet_list_open").map == [8, 10]
    rows = [t.map for t in tokens if t.type == "tr_open"]
    assert rows == [[3, 4], [5, 6], [7, 10]]


def test_every_table_token_has_a_map() -> None:
    tokens, _ = parse(TWO_ROWS)
    start = tokens.index(first(tokens, "table_open"))
    own = [
        t
        for t in tokens[start:]
        if t.type.startswith(("table", "thead", "tbody", "tr", "th", "td"))
    ]
    assert own and all(t.map for t in own)


def test_single_paragraph_cell_is_just_an_inline_token() -> None:
    tokens, _ = parse(TWO_ROWS)
    td = tokens.index(first(tokens, "td_open"))
    assert [t.type for t in tokens[td : td + 3]] == ["td_open", "inline", "td_close"]
    assert tokens[td + 1].level == tokens[td].level + 1


def test_colwidths_are_fractions_of_the_dashes() -> None:
    tokens, _ = parse("+----+------------+\n| a  | b          |\n+----+------------+\n")
    assert first(tokens, "table_open").meta["colwidths"] == [0.25, 0.75]


def test_colwidths_sum_to_one() -> None:
    tokens, _ = parse(TWO_ROWS)
    assert sum(first(tokens, "table_open").meta["colwidths"]) == pytest.approx(1.0)


# --- malformed tables --------------------------------------------------------------------

MISALIGNED = (
    "malformed grid table: expected '|' at character 9 to line up with the '+' of the top "
    "border; align every '|' and '+' with the top border (column and row spans are not supported)"
)
BAD_PLUS = (
    "malformed grid table: expected '+' at character 9 to line up with the '+' of the top "
    "border; align every '|' and '+' with the top border (column and row spans are not supported)"
)
EXTRA_PLUS = (
    "malformed grid table: '+' at character 5 is not under a '+' of the top border; align "
    "every '|' and '+' with the top border (column and row spans are not supported)"
)
MISSING_CLOSE = (
    "malformed grid table: the last row has no closing border; end the table with a "
    "'+---+' line like its top border"
)
RAGGED = (
    "malformed grid table: this line is 20 characters wide but the top border is 17; pad or "
    "trim it so its last '|' or '+' lines up with the top border"
)
SHORT = (
    "malformed grid table: this line is 14 characters wide but the top border is 17; pad or "
    "trim it so its last '|' or '+' lines up with the top border"
)
SHORT_BORDER = (
    "malformed grid table: this line is 16 characters wide but the top border is 17; pad or "
    "trim it so its last '|' or '+' lines up with the top border"
)

HEAD = "Text.\n\n+-------+-------+\n| one   | two   |\n"
MALFORMED = [
    pytest.param(
        HEAD + "+-------+-------+\n| three  | four |\n+-------+-------+\n",
        5,
        MISALIGNED,
        id="misaligned-bar",
    ),
    pytest.param(
        HEAD + "+-------+-------+\n| a row spanning|\n+-------+-------+\n",
        5,
        MISALIGNED,
        id="column-span",
    ),
    pytest.param(
        HEAD + "+--------+------+\n| three | four  |\n+-------+-------+\n",
        4,
        BAD_PLUS,
        id="misplaced-plus",
    ),
    pytest.param(
        HEAD + "+---+---+-------+\n| three | four  |\n+-------+-------+\n",
        4,
        EXTRA_PLUS,
        id="extra-plus",
    ),
    pytest.param(
        HEAD + "+-------+-------+\n| three | four  |\n\nAfter.\n",
        5,
        MISSING_CLOSE,
        id="no-closing-border",
    ),
    pytest.param(
        HEAD + "+-------+-------+\n| three | four     |\n+-------+-------+\n",
        5,
        RAGGED,
        id="ragged-long",
    ),
    pytest.param(
        HEAD + "+-------+-------+\n| three | four\n+-------+-------+\n", 5, SHORT, id="ragged-short"
    ),
    pytest.param(
        HEAD + "+-------+-------+\n| three | four  |\n+-------+------+\n",
        6,
        SHORT_BORDER,
        id="ragged-border",
    ),
]


@pytest.mark.parametrize(("text", "line0", "message"), MALFORMED)
def test_malformed_table_is_reported_once(text: str, line0: int, message: str) -> None:
    _, problems = parse(text)
    assert problems == [(line0, "error", message)]


@pytest.mark.parametrize(("text", "line0", "message"), MALFORMED)
def test_malformed_table_keeps_its_text_visible(text: str, line0: int, message: str) -> None:
    tokens, _ = parse(text)
    html = make_md().renderer.render(tokens, {"html": True}, {})
    assert "<table" not in html
    assert "| one   | two   |" in html
    raw = first(tokens, "code_block")
    assert raw.map is not None and raw.map[0] == 2
    assert raw.content.startswith("+-------+-------+\n| one   | two   |\n")


def test_problem_inside_a_cell_points_at_its_source_line() -> None:
    text = (
        "+---------------------+\n"
        "| Outer               |\n"
        "|                     |\n"
        "| +-----+             |\n"
        "| | in  |             |\n"
        "| | bad   |           |\n"
        "| +-----+             |\n"
        "+---------------------+\n"
    )
    tokens, problems = parse(text)
    assert problems == [
        (
            5,
            "error",
            "malformed grid table: this line is 9 characters wide but the top border is 7; "
            "pad or trim it so its last '|' or '+' lines up with the top border",
        )
    ]
    assert first(tokens, "code_block").map == [3, 7]


def test_well_formed_tables_report_nothing() -> None:
    for _, title, text, _ in GRID_CASES + CAPTION_CASES:
        if "shown as code" in title:
            continue
        _, problems = parse(text)
        assert problems == []


# --- captions ----------------------------------------------------------------------------

CAPTIONED = """\
+-----+
| a   |
+-----+

: **Bold** caption that
continues here {#tbl-x .wide source=lab}
"""


def test_caption_tokens_follow_table_open() -> None:
    tokens, _ = parse(CAPTIONED)
    assert [t.type for t in tokens[:4]] == [
        "table_open",
        "table_caption_open",
        "inline",
        "table_caption_close",
    ]
    opener, inline, closer = tokens[1:4]
    assert (opener.tag, opener.nesting, closer.tag, closer.nesting) == ("caption", 1, "caption", -1)
    assert opener.map == inline.map == closer.map == [4, 6]
    assert not any(t.type.startswith("paragraph") for t in tokens)


def test_caption_inline_is_parsed_by_the_inline_phase() -> None:
    tokens, _ = parse(CAPTIONED)
    inline = tokens[2]
    assert inline.content == "**Bold** caption that\ncontinues here"
    types = [c.type for c in inline.children or []]
    assert types[types.index("strong_open") :][:3] == ["strong_open", "text", "strong_close"]
    assert "softbreak" in types


def test_caption_attrs_move_to_table_open() -> None:
    tokens, _ = parse(CAPTIONED)
    table = tokens[0]
    assert table.attrs == {"id": "tbl-x", "class": "wide", "source": "lab"}
    assert table.meta["attrs"] == Attrs(id="tbl-x", classes=["wide"], kv={"source": "lab"})


def test_caption_levels_nest_inside_the_table() -> None:
    tokens, _ = parse("- item\n\n  | a |\n  |---|\n  | 1 |\n  : In a list {#tbl-l}\n")
    table = tokens.index(first(tokens, "table_open"))
    levels = [t.level for t in tokens[table : table + 5]]
    assert levels == [tokens[table].level + k for k in (0, 1, 2, 1, 1)]
    assert tokens[table].attrs["id"] == "tbl-l"
