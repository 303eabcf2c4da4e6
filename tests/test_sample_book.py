"""The project's own sample book (content/) builds end to end, cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.build import BuildOptions, build
from mlsysgen.linkcheck import check_site

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_WARNINGS = {
    "executable {r} cell not run (mlsysgen does not execute r); shown as a placeholder figure",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("sample") / "site"
    result = build(ROOT / "content", BuildOptions(formats=["html"], out=out, cache=False))
    return out, result


def test_builds_with_only_the_expected_warnings(site) -> None:  # type: ignore[no-untyped-def]
    _, result = site
    assert result.diagnostics.errors == []
    assert {d.message for d in result.diagnostics.warnings} == EXPECTED_WARNINGS


def test_every_page_and_asset_is_written(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    for page in (
        "index.html",
        "404.html",
        "search.json",
        "static/mlsysgen.css",
        "static/mlsysgen.js",
        "foundations/introduction.html",
        "systems/deployment.html",
        "appendix/notation.html",
    ):
        assert (out / page).is_file(), page
    assert list((out / "foundations" / "images").glob("*.svg"))


def test_no_broken_links_or_anchors(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    assert [str(b) for b in check_site(out)] == []


def test_cross_chapter_references_use_chapter_numbers(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    page = (out / "systems" / "efficiency.html").read_text()
    assert (
        '<a class="xref" href="../foundations/hardware.html#eq-roofline">Equation&nbsp;2.1</a>'
        in page
    )


def test_nothing_leaks_and_math_is_mathml(site) -> None:  # type: ignore[no-untyped-def]
    from .test_corpus import prose

    out, _ = site
    for path in out.rglob("*.html"):
        text = prose(path.read_text())
        for bad in ("$$", ":::", "{#", "\\begin{", "[^", "{{<"):
            assert bad not in text, f"{path.name}: {bad!r}"
    assert "<math" in (out / "foundations" / "hardware.html").read_text()


def test_sidebar_marks_the_current_page(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    page = (out / "systems" / "training.html").read_text()
    assert page.count('data-href="../systems/training.html" aria-current="page"') == 1
    assert page.count('aria-current="page"') == 2  # the sidebar link and the breadcrumb
    assert (
        'href="../systems/training.html" data-href="../systems/training.html" aria-current="page"'
        in page
    )
