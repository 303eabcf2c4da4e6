"""Outlines: a scoped build loads, for the chapters it does not render, only what the
book passes read (``transforms.outline``), and still numbers, cites and checks exactly
as a full build does."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.build import BuildOptions, Session, build
from mlsysgen.render.chapter import render_chapter
from mlsysgen.runs import ChapterStore
from mlsysgen.stamp import cache_folder
from mlsysgen.transforms.outline import outline

from .helpers import write_book

BIB = """@book{knuth84, author = {Donald Knuth}, title = {The TeXbook}, year = {1984}}
@article{lamport94, author = {Leslie Lamport}, title = {LaTeX}, journal = {J}, year = {1994}}
"""
FILES = {
    "refs.bib": BIB,
    "intro.md": (
        "# Introduction {#sec-intro}\n\nAs @knuth84 shows, see @fig-late, @eq-energy and "
        "@tbl-sizes, or [the detail](method.md#sec-method-detail).\n"
    ),
    "method.md": (
        "# Method {#sec-method}\n\n## Detail {#sec-method-detail}\n\n"
        '::: {.callout-note title="After [@lamport94]"}\nA *callout* body.\n:::\n\n'
        "A claim.[^n]\n\n[^n]: Noted in [@knuth84].\n\n"
        "$$\nE = mc^2\n$$ {#eq-energy}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: Sizes {#tbl-sizes}\n"
    ),
    "results.md": (
        "# Results {#sec-results}\n\n::: {#fig-late}\n![Late](a.svg)\n\nLate.\n:::\n\n"
        "Back to @sec-method-detail [@lamport94; @knuth84], [the method](method.md#sec-method).\n\n"
        "A [broken link](method.md#nowhere) and @fig-missing.\n"
    ),
    "a.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
}
CONFIG = {"bibliography": "refs.bib", "html": {"number-sections": True}}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", FILES, CONFIG)


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(store folder name, chapter) of every stored run or outline a build loads."""
    seen: list[tuple[str, str]] = []
    real = ChapterStore.load

    def load(self: ChapterStore, rel: str, key: str):  # type: ignore[no-untyped-def]
        value = real(self, rel, key)
        if value is not None and self.folder.parent.name in ("runs", "outlines"):
            seen.append((self.folder.parent.name, rel))
        return value

    monkeypatch.setattr(ChapterStore, "load", load)
    return seen


def test_an_outline_keeps_what_book_passes_read_and_no_text(book: Path) -> None:
    result = build(book, BuildOptions(formats=["html"], write=False, cache=False))
    method = result.books["html"].chapters[1]
    short = outline(method)
    assert short.outline and not method.outline
    assert len(short.tokens) < len(method.tokens) / 2
    depth = 0
    for token in short.tokens:
        depth += token.nesting
        assert depth >= 0
    assert depth == 0

    def children(tokens, types):  # type: ignore[no-untyped-def]
        found = []
        for token in tokens:  # titles as book passes see them: on opening tokens
            for inline in (token, token.meta.get("title") if token.nesting == 1 else None):
                found += [c for c in getattr(inline, "children", None) or [] if c.type in types]
        return found

    kept = children(short.tokens, ("text", "em_open"))
    assert kept == []
    cites = [c.meta["items"][0].key for c in children(short.tokens, ("cite",))]
    assert cites == ["lamport94"]  # the callout title's citation is kept
    assert [c.meta["items"][0].key for b in short.env["notes"].values()
            for c in children(b, ("cite",))] == ["knuth84"]  # fmt: skip
    ids = {str(t.attrGet("id")) for t in short.tokens if t.attrGet("id")}
    assert {"sec-method-detail", "eq-energy", "tbl-sizes"} <= ids


def test_an_outline_is_never_rendered(book: Path) -> None:
    result = build(book, BuildOptions(formats=["html"], write=False, cache=False))
    book_ = result.books["html"]
    with pytest.raises(ValueError, match="is an outline"):
        render_chapter(outline(book_.chapters[0]), book_, result.contexts["html"])


def test_a_scoped_build_from_outlines_matches_the_full_build(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, scoped = tmp_path / "full", tmp_path / "scoped"
    first = build(book, BuildOptions(formats=["html"], out=full))
    loads = _loads(monkeypatch)
    second = build(book, BuildOptions(formats=["html"], out=scoped, chapters=["results"]))
    # Every outline (which chapter is "results" is known once their titles are), then
    # the one chapter rendered in full; never the others' full trees.
    assert loads == [("outlines", "intro.md"), ("outlines", "method.md"),
                     ("outlines", "results.md"), ("runs", "results.md")]  # fmt: skip
    page = (scoped / "results.html").read_text()
    assert page == (full / "results.html").read_text()
    assert 'href="method.html#sec-method-detail">Section&nbsp;2.1</a>' in page
    assert "Lamport" in page and "Knuth" in page
    assert [str(d) for d in second.diagnostics.items] == [str(d) for d in first.diagnostics.items]
    assert any("nowhere" in str(d) for d in second.diagnostics.items)
    assert any("@fig-missing" in str(d) for d in second.diagnostics.items)


def test_a_first_scoped_build_stores_outlines_and_only_its_own_full_run(
    book: Path, tmp_path: Path
) -> None:
    build(book, BuildOptions(formats=["html"], out=tmp_path / "scoped", chapters=["results"]))
    cache = cache_folder(book.resolve())
    assert len(list((cache / "outlines" / "html").glob("*.pickle"))) == 3
    assert len(list((cache / "runs" / "html").glob("*.pickle"))) == 1
    build(book, BuildOptions(formats=["html"], out=tmp_path / "full"))
    clean = tmp_path / "clean"
    build(book, BuildOptions(formats=["html"], out=clean, cache=False))
    for page in ("intro.html", "method.html", "results.html", "search.json"):
        assert (tmp_path / "full" / page).read_bytes() == (clean / page).read_bytes()


def test_a_scoped_session_follows_edits_of_the_chapters_it_does_not_render(
    book: Path, tmp_path: Path
) -> None:
    """``serve results``: the other chapters stay outlines; an edit of one that renumbers
    a section the rendered chapter cites shows on the next build."""
    out = tmp_path / "out"
    session = Session(book, BuildOptions(formats=["html"], out=out, chapters=["results"]))
    session.build()
    assert 'href="method.html#sec-method-detail">Section&nbsp;2.1</a>' in (out / "results.html").read_text()
    assert session.states["html"].chapters["method.md"].chapter.outline
    method = book / "method.md"
    method.write_text(method.read_text().replace("## Detail", "## First {#sec-first}\n\n## Detail"))
    result = session.build()
    assert result.rendered == 1
    assert 'href="method.html#sec-method-detail">Section&nbsp;2.2</a>' in (out / "results.html").read_text()
    assert session.states["html"].chapters["method.md"].chapter.outline
