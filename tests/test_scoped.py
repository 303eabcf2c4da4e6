"""Chapter-scoped builds: only the named chapters are rendered, but with the whole book's
index, so their pages are exactly the full build's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlsysgen.__main__ import main, project_and_chapters
from mlsysgen.build import BuildOptions, build
from mlsysgen.errors import MlsysgenError

from .helpers import write_book

FILES = {
    "intro.md": "# Introduction {#sec-intro}\n\nSee @fig-late and @sec-method-detail.\n",
    "method.md": (
        "# Method {#sec-method}\n\n## Detail {#sec-method-detail}\n\n"
        "::: {#fig-early}\n![Early](a.svg)\n\nEarly.\n:::\n"
    ),
    "results.md": (
        "# Results {#sec-results}\n\n::: {#fig-late}\n![Late](a.svg)\n\nLate.\n:::\n\n"
        "Back to @fig-early in @sec-method.\n"
    ),
    "a.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", FILES, {"html": {"number-sections": True}})


def test_a_scoped_page_equals_the_full_builds(book: Path, tmp_path: Path) -> None:
    full, scoped = tmp_path / "full", tmp_path / "scoped"
    build(book, BuildOptions(formats=["html"], out=full, cache=False))
    result = build(book, BuildOptions(formats=["html"], out=scoped, cache=False,
                                      chapters=["results"]))  # fmt: skip
    assert result.pages == 1
    assert not (scoped / "intro.html").exists()
    page = (scoped / "results.html").read_text()
    assert page == (full / "results.html").read_text()
    assert 'href="method.html#fig-early">Figure&nbsp;2.1</a>' in page
    assert 'href="method.html#sec-method">Chapter&nbsp;2</a>' in page


def test_a_scoped_build_keeps_the_other_pages_and_their_search_records(
    book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(book, BuildOptions(formats=["html"], out=out, cache=False))
    before = (out / "intro.html").read_text()
    (book / "results.md").write_text(FILES["results.md"] + "\nA new sentence.\n", encoding="utf-8")
    build(book, BuildOptions(formats=["html"], out=out, cache=False, chapters=["sec-results"]))
    assert (out / "intro.html").read_text() == before
    assert "A new sentence." in (out / "results.html").read_text()
    pages = {d["href"].partition("#")[0] for d in json.loads((out / "search.json").read_text())["docs"]}
    assert pages == {"intro.html", "method.html", "results.html"}
    # A page in the middle keeps its place: the index is the full build's, byte for byte.
    (book / "method.md").write_text(FILES["method.md"] + "\nMore method.\n", encoding="utf-8")
    build(book, BuildOptions(formats=["html"], out=out, cache=False, chapters=["method"]))
    full = tmp_path / "full"
    build(book, BuildOptions(formats=["html"], out=full, cache=False))
    assert (out / "search.json").read_bytes() == (full / "search.json").read_bytes()


def test_a_scoped_build_keeps_a_home_page_it_did_not_build(tmp_path: Path) -> None:
    """The site's index.html and 404.html are chapters here: a scoped build must keep
    them, not put the redirect or the stock 404 page in their place."""
    files = {**FILES, "index.md": "# Welcome {.unnumbered}\n\nHello.\n",
             "404.md": "# Lost {.unnumbered}\n\nNothing here.\n"}  # fmt: skip
    book = write_book(tmp_path / "book", files, {"site": {"url": "https://example.org/"}})
    out = tmp_path / "out"
    build(book, BuildOptions(formats=["html"], out=out, cache=False))
    home, lost = (out / "index.html").read_text(), (out / "404.html").read_text()
    build(book, BuildOptions(formats=["html"], out=out, cache=False, chapters=["results"]))
    assert (out / "index.html").read_text() == home
    assert (out / "404.html").read_text() == lost
    assert "Hello." in home and "Nothing here." in lost
    assert "<loc>https://example.org/intro.html</loc>" in (out / "sitemap.xml").read_text()


def test_a_scoped_build_links_the_other_files_and_never_writes_through_a_link(
    book: Path, tmp_path: Path
) -> None:
    out, keep = tmp_path / "out", tmp_path / "keep"
    build(book, BuildOptions(formats=["html"], out=out, cache=False))
    keep.mkdir()
    for page in ("intro.html", "results.html", "search.json"):
        os.link(out / page, keep / page)  # the previous output's files, as they were
    before = {p.name: p.read_bytes() for p in keep.iterdir()}
    (book / "results.md").write_text(FILES["results.md"] + "\nChanged.\n", encoding="utf-8")
    build(book, BuildOptions(formats=["html"], out=out, cache=False, chapters=["results"]))
    assert {p.name: p.read_bytes() for p in keep.iterdir()} == before
    assert (out / "intro.html").stat().st_ino == (keep / "intro.html").stat().st_ino
    assert "Changed." in (out / "results.html").read_text()


def test_chapters_are_picked_by_stem_id_or_title_prefix(book: Path, tmp_path: Path) -> None:
    for names, expected in ((["intro"], {"intro.html"}), (["sec-method"], {"method.html"}),
                            (["Res"], {"results.html"}), (["intro,method"], {"intro.html", "method.html"})):  # fmt: skip
        out = tmp_path / "-".join(names).replace(",", "_")
        build(book, BuildOptions(formats=["html"], out=out, cache=False, chapters=names))
        assert {p.name for p in out.glob("*.html")} - {"index.html", "404.html"} == expected


def test_an_unknown_chapter_is_an_error_listing_the_chapters(book: Path, tmp_path: Path) -> None:
    with pytest.raises(MlsysgenError) as info:
        build(book, BuildOptions(formats=["html"], out=tmp_path / "x", cache=False,
                                 chapters=["conclusion"]))  # fmt: skip
    assert str(info.value) == (
        "no chapter matches 'conclusion'; use a file name, an id or the start of a title "
        "(chapters: intro, method, results)"
    )
    assert not (tmp_path / "x").exists()


def test_the_command_line_takes_a_project_and_chapters(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project_and_chapters([str(book), "intro,results"]) == (book, ["intro,results"])
    assert project_and_chapters([str(book / "method.md")]) == (book.resolve(), ["method.md"])
    assert main(["build", str(book), "method", "--no-cache"]) == 0
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"built {book / '_site'}: 1 pages")


def test_a_scoped_epub_holds_only_those_chapters_under_its_own_name(
    book: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ebooklib")
    from ebooklib import epub

    out = tmp_path / "out"
    build(book, BuildOptions(formats=["epub"], out=out, cache=False, chapters=["results"]))
    assert [p.name for p in out.glob("*.epub")] == ["test-book-results.epub"]
    names = [i.get_name() for i in epub.read_epub(str(out / "test-book-results.epub")).get_items()
             if i.get_name().endswith(".xhtml")]  # fmt: skip
    text = " ".join(names)
    assert "results" in text and "method" not in text and "intro" not in text


def test_a_scoped_build_keeps_search_records_by_line_and_reads_the_older_format(
    tmp_path: Path,
) -> None:
    from mlsysgen.writers.site import _kept_records

    records = [{"title": 'A "quoted" href":"b.html', "href": "a.html", "text": "x"},
               {"title": "B", "href": "b.html#sec-b", "text": "y\nz"},
               {"title": "C", "href": "c.html", "text": "w"}]  # fmt: skip
    dumped = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    lines, single = tmp_path / "lines.json", tmp_path / "single.json"
    lines.write_text('{"docs":[\n' + ",\n".join(dumped) + "\n]}", encoding="utf-8")
    single.write_text('{"docs":[' + ",".join(dumped) + "]}", encoding="utf-8")
    new_b = b'{"title":"B2","href":"b.html","text":"new"}'
    # In place, so the pages stay in reading order as a full build writes them.
    assert _kept_records(lines, {"b.html"}, {"b.html": new_b}) == [
        dumped[0].encode(), new_b, dumped[2].encode()
    ]  # fmt: skip
    assert _kept_records(single, {"b.html"}, {"b.html": new_b}) == [
        dumped[0].encode(), dumped[2].encode(), new_b
    ]  # fmt: skip
    assert [json.loads(r)["href"] for r in _kept_records(lines, {"a.html"}, {})] == [
        "b.html#sec-b", "c.html"
    ]  # fmt: skip
