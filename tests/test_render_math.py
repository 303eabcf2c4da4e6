"""TeX → MathML (mlsysgen.render.math)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from mlsysgen.render.math import MathError, render_math_html, to_mathml

NS = "{http://www.w3.org/1998/Math/MathML}"


def tree(tex: str, display: bool = False) -> ET.Element:
    return ET.fromstring(to_mathml(tex, display))


def tags(tex: str, display: bool = False) -> list[str]:
    return [el.tag.removeprefix(NS) for el in tree(tex, display).iter()]


def texts(tex: str, tag: str) -> list[str]:
    return [el.text or "" for el in tree(tex).iter(NS + tag)]


def test_inline_element_with_display_and_alttext() -> None:
    out = to_mathml(r"\frac{a}{b}", False)
    assert out.startswith("<math ") and out.endswith("</math>")
    root = ET.fromstring(out)
    assert root.get("display") == "inline"
    assert root.get("alttext") == r"\frac{a}{b}"
    assert "mfrac" in tags(r"\frac{a}{b}")


def test_display_block() -> None:
    assert tree(r"\sum_{i=1}^{n} x_i", display=True).get("display") == "block"


def test_alttext_escapes_markup_characters() -> None:
    out = to_mathml(r'a < b \text{ & "c"}', False)
    assert 'alttext="a &lt; b \\text{ &amp; &quot;c&quot;}"' in out
    assert ET.fromstring(out).get("alttext") == r'a < b \text{ & "c"}'


def test_text_keeps_spaces_and_plain_escapes() -> None:
    assert texts(r"\text{GPU\_time in \%} + x", "mtext") == ["GPU_time\xa0in\xa0%"]
    assert texts(r"\text{a & b}", "mtext") == ["a\xa0&\xa0b"]  # escaped in the markup


def test_bmatrix_is_a_table_in_brackets() -> None:
    root = tree(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", True)
    assert len(root.findall(f".//{NS}mtr")) == 2
    assert len(root.findall(f".//{NS}mtd")) == 4
    assert [mo.text for mo in root.iter(NS + "mo")] == ["[", "]"]


def test_cases_is_a_braced_table() -> None:
    tex = r"f(x) = \begin{cases} x & \text{if } x > 0 \\ 0 & \text{otherwise} \end{cases}"
    root = tree(tex, True)
    assert len(root.findall(f".//{NS}mtr")) == 2
    assert "{" in [mo.text for mo in root.iter(NS + "mo")]


@pytest.mark.parametrize("env", ["gather*", "gather", "multline"])
def test_gather_rows_become_centred_display_rows(env: str) -> None:
    root = tree(rf"\begin{{{env}}} a = b \\ \frac{{c}}{{d}} \end{{{env}}}", True)
    rows = root.findall(f".//{NS}mtr")
    assert len(rows) == 2
    assert {td.get("columnalign") for td in root.iter(NS + "mtd")} == {"center"}
    assert all(s.get("displaystyle") == "true" for s in root.iter(NS + "mstyle"))
    assert "linebreak" not in to_mathml(rf"\begin{{{env}}} a \\ b \end{{{env}}}", True)


def test_gather_does_not_split_nested_matrix_rows() -> None:
    tex = r"\begin{gather*} x = \begin{bmatrix} 1 \\ 2 \end{bmatrix} \\ y = 3 \end{gather*}"
    outer = tree(tex, True).find(f".//{NS}mtable")
    assert outer is not None
    assert len(outer.findall(f"{NS}mtr")) == 2


def test_aligned_columns_are_a_table_not_ampersands() -> None:
    out = to_mathml(r"\left\{ \begin{aligned} a &= b \\ c &= d \end{aligned} \right.", True)
    assert "<mi>&amp;</mi>" not in out and "<mi>&</mi>" not in out
    assert len(ET.fromstring(out).findall(f".//{NS}mtr")) == 2


def test_align_and_equation_environments() -> None:
    assert (
        len(tree(r"\begin{align} a &= b \\ c &= d \end{align}", True).findall(f".//{NS}mtr")) == 2
    )
    assert "(1)" not in to_mathml(r"\begin{align} a &= b \end{align}", True)
    assert tags(r"\begin{equation} e = mc^2 \label{eq:e} \end{equation}").count("msup") == 1


@pytest.mark.parametrize(
    ("tex", "tag"),
    [
        (r"a \times b", "mo"),
        (r"\mathbf{x}", "mi"),
        (r"\theta", "mi"),
        (r"\mathcal{L}", "mi"),
        (r"x \in X", "mo"),
        (r"\partial L", "mo"),
        (r"\alpha", "mi"),
        (r"\sum_i x_i", "munderover|msub"),
        (r"\mathbb{R}", "mi"),
        (r"\big( x \big)", "mo"),
        (r"\Big[ x \Big]", "mo"),
        (r"a \cdot b", "mo"),
        (r"\hat{y}", "mover"),
        (r"\nabla f", "mo"),
        (r"\left( \frac{a}{b} \right)", "mfrac"),
        (r"a \longleftrightarrow b", "mo"),
        (r"\operatorname{softmax}(z)", "mo"),
        (r"a\,b\;c\quad d", "mspace"),
    ],
)
def test_macros_the_book_uses(tex: str, tag: str) -> None:
    assert set(tag.split("|")) & set(tags(tex))


def test_operators_come_out_as_operators() -> None:
    assert texts(r"a \pm b \longleftrightarrow c", "mo") == ["\xb1", "\u27f7"]
    assert texts(r"\Vert x \Vert", "mo") == ["\u2016", "\u2016"]
    assert texts(r"x \sim y", "mo") == ["\u223c"]
    assert texts(r"\arg\min_x f", "mo")[:2] == ["arg", "min"]


def test_sized_delimiters_are_the_characters() -> None:
    assert texts(r"\big\{ x \big\} \Big\| y \Big\|", "mo") == ["{", "}", "\u2016", "\u2016"]


def test_single_mathrm_letter_stays_upright() -> None:
    (d, x) = tree(r"\mathrm{d}x").iter(NS + "mi")
    assert (d.text, d.get("mathvariant"), x.get("mathvariant")) == ("d", "normal", None)


def test_negative_space_has_a_length() -> None:
    assert 'width="-0.167em"' in to_mathml(r"a\!b", False)


def test_render_math_html_wraps_display_with_number() -> None:
    html = render_math_html("x", True, "3.2")
    assert re.fullmatch(
        r'<div class="math display"><math [^>]*display="block"[^>]*>.*</math>'
        r'<span class="eq-number">\(3\.2\)</span></div>',
        html,
    )
    assert render_math_html("x", True) == f'<div class="math display">{to_mathml("x", True)}</div>'
    assert render_math_html("x", False) == to_mathml("x", False)


@pytest.mark.parametrize(
    ("tex", "reason"),
    [
        (r"\frac{a}{", "unbalanced braces"),
        (r"a}", "unbalanced braces"),
        (r"x^", "'^' or '_' has nothing after it"),
        (r"\left( x", r"\left without \right"),
        (r"\sqrt", "missing its argument"),
        (r"\frac{a}", "<mfrac> got 1 arguments"),
        (r"\foo x", r"unknown command \foo"),
        (r"a & b", "'&' outside an alignment environment"),
        (r"\begin{bmatrix} a", r"\begin{…} without its \end{…}"),
        (r"\begin{tikzpicture} a \end{tikzpicture}", "unsupported environment {tikzpicture}"),
    ],
)
def test_broken_tex_raises_math_error(tex: str, reason: str) -> None:
    with pytest.raises(MathError) as info:
        to_mathml(tex, False)
    assert reason in info.value.reason
    assert info.value.tex == tex
    assert reason in str(info.value)


def test_conversion_is_cached() -> None:
    to_mathml.cache_clear()
    to_mathml(r"\alpha + \beta", False)
    to_mathml(r"\alpha + \beta", False)
    assert to_mathml.cache_info().hits == 1
