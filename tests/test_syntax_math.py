"""TeX math tokenisation with Pandoc's rules (mlsysgen.parse.syntax.math)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import read_fixture_file

from mlsysgen.parse.syntax.math import math_plugin, math_spans

FIXTURES = Path(__file__).parent / "fixtures" / "syntax"
CASES = read_fixture_file(FIXTURES / "math.md")


def _id(token: Token) -> str:
    ident = token.attrGet("id")
    return f' id="{escapeHtml(str(ident))}"' if ident else ""


def _render_inline(self, tokens: list[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return f'<span class="math inline">\\({escapeHtml(tokens[idx].content)}\\)</span>'


def _render_display(self, tokens: list[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    token = tokens[idx]
    return f'<span class="math display"{_id(token)}>\\[{escapeHtml(token.content)}\\]</span>'


def _render_block(self, tokens: list[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    token = tokens[idx]
    env_attr = f' data-env="{token.meta["env"]}"' if token.meta.get("env") else ""
    body = escapeHtml(token.content)
    return f'<div class="math block"{_id(token)}{env_attr}>\\[{body}\\]</div>\n'


def make_md(plugin: bool = True) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    if plugin:
        md.use(math_plugin)
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_display", _render_display)
    md.add_render_rule("math_block", _render_block)
    return md


def math_tokens(text: str) -> list[Token]:
    found: list[Token] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type.startswith("math_"):
                found.append(token)
            walk(token.children or [])

    walk(make_md().parse(text))
    return found


@pytest.mark.parametrize(("line", "title", "text", "expected"), CASES)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert make_md().render(text) == expected


# Fixtures whose point is that something is *not* math.
UNTOUCHED = {
    "currency is not math",
    "a space after the opening dollar makes it text",
    "a space before the closing dollar makes it text",
    "an unclosed display is text",
    "inline math stops at a blank line",
    "a blank line ends display math",
    "an unclosed environment is text",
    "unknown environments are left alone",
    "math in fenced code is code",
    "a code fence inside display math stays code",
}


@pytest.mark.parametrize(("line", "title", "text", "expected"), CASES)
def test_fixture_needs_the_plugin(line: int, title: str, text: str, expected: str) -> None:
    if title in UNTOUCHED:
        pytest.skip("fixture checks that something is left alone")
    assert make_md(plugin=False).render(text) != expected


# Pandoc knows neither Quarto labels nor bare environments as math.
NOT_PANDOC = {
    "one-line display block with a label",
    "multi-line display block with a label",
    "labelled display math inside a paragraph",
    "bare gather environment interrupts a paragraph",
    "other bare environments",
    "display block followed directly by a heading",  # pandoc wants a blank line first
    # Deliberate: Pandoc lets "$$" swallow a code fence; we keep code code.
    "a code fence inside display math stays code",
}
PANDOC = shutil.which("pandoc")
if PANDOC is None:
    try:
        import pypandoc

        PANDOC = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        PANDOC = None


def _pandoc_math(text: str) -> list[tuple[str, str]]:
    assert PANDOC
    reader = "markdown-raw_tex-raw_html-citations-smart-subscript-superscript"
    result = subprocess.run(
        [PANDOC, "-f", reader, "-t", "json"], input=text, capture_output=True, text=True, check=True
    )
    found: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Math":
                kind, tex = node["c"]
                found.append((kind["t"], " ".join(tex.split())))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(result.stdout)["blocks"])
    return found


@pytest.mark.skipif(PANDOC is None, reason="pandoc (pypandoc-binary) not installed")
@pytest.mark.parametrize(("line", "title", "text", "expected"), CASES)
def test_fixture_agrees_with_pandoc(line: int, title: str, text: str, expected: str) -> None:
    """The same spans are math, with the same TeX, as in Pandoc itself."""
    if title in NOT_PANDOC:
        pytest.skip("Quarto-only syntax")
    kinds = {
        "math_inline": "InlineMath",
        "math_display": "DisplayMath",
        "math_block": "DisplayMath",
    }
    ours = [(kinds[t.type], " ".join(t.content.split())) for t in math_tokens(text)]
    assert ours == _pandoc_math(text)


def test_block_token_carries_lines_label_and_markup() -> None:
    text = "Intro.\n\n$$\ny = Wx\n$$ {#eq-affine}\n\nAfter.\n"
    (token,) = math_tokens(text)
    assert token.type == "math_block"
    assert token.map == [2, 5]
    assert token.content == "\ny = Wx\n"
    assert token.attrGet("id") == "eq-affine"
    assert token.markup == "$$"


def test_environment_block_keeps_the_whole_environment() -> None:
    text = "Text:\n\\begin{gather*}\na \\\\ b\n\\end{gather*}\nwhere $a$ is one.\n"
    block, inline = math_tokens(text)
    assert block.type == "math_block"
    assert block.meta["env"] == "gather*"
    assert block.content == "\\begin{gather*}\na \\\\ b\n\\end{gather*}"
    assert block.map == [1, 4]
    assert (inline.type, inline.content) == ("math_inline", "a")


def test_inline_tokens_record_their_line_in_the_paragraph() -> None:
    text = "First $a$ line\nsecond $$b$$ line\nthird $c$.\n"
    assert [t.meta["line"] for t in math_tokens(text)] == [0, 1, 2]


def test_display_label_sets_id_inline() -> None:
    (token,) = math_tokens("We use $$x$$ {#eq-x} here.\n")
    assert (token.type, token.attrGet("id")) == ("math_display", "eq-x")


def test_math_spans_skip_code_and_escapes() -> None:
    src = "`$a$` \\$b$ $c$ $$d$$"
    assert [src[s:e] for s, e in math_spans(src)] == ["$c$", "$$d$$"]
