"""Multi-volume books: config, numbering, references across volumes (HTML, PDF, EPUB),
``--volume`` builds and their file names, the navigation, and the real book's
two-volume sidebar config.

The fixture book (tests/fixtures/volumes) has shared front matter, a shared appendix and
back matter, and two volumes whose first parts are both titled "Basics"; each volume
refers into the other."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlsysgen.__main__ import main
from mlsysgen.build import BuildOptions, BuildResult, build
from mlsysgen.config import load_project
from mlsysgen.config.schema import BookConfig
from mlsysgen.diagnostics import Diagnostics
from mlsysgen.discover import discover
from mlsysgen.errors import ConfigError
from mlsysgen.volumes import download_links, edition, edition_config

from .conftest import FIXTURES

BOOK = FIXTURES / "volumes"
XREF = re.compile(r'<a class="xref" href="([^"]*)">(.*?)</a>')


def copy_book(where: Path, **changes: Any) -> Path:
    """The fixture book in ``where``; ``changes`` replace top-level keys of its book.yml."""
    root = where / "book"
    shutil.copytree(BOOK, root)
    if changes:
        config = yaml.safe_load((root / "book.yml").read_text(encoding="utf-8"))
        config.update({k.replace("_", "-"): v for k, v in changes.items()})
        (root / "book.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def xrefs(page: Path) -> list[tuple[str, str]]:
    return XREF.findall(page.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    base = tmp_path_factory.mktemp("volumes")
    root = copy_book(base)
    result = build(root, BuildOptions(formats=["html"], out=base / "site", cache=False))
    return base / "site", result


# ---- numbering --------------------------------------------------------------------------
def _numbers(root: Path) -> dict[str, str]:
    result = build(root, BuildOptions(formats=["html"], write=False, cache=False))
    book = result.books["html"]
    labels = {k: v.number for k, v in book.index.labels.items() if k.startswith(("fig", "tbl"))}
    return {c.rel: c.number for c in book.chapters} | labels


def test_numbering_restarts_in_each_volume(tmp_path: Path) -> None:
    assert _numbers(copy_book(tmp_path)) == {
        "index.md": "", "vol1/intro.md": "1", "vol1/hardware.md": "2", "vol2/scale.md": "1",
        "vol2/fleet.md": "2", "appendix/glossary.md": "A", "back/colophon.md": "",
        "fig-node": "1.1", "tbl-memory": "2.1", "fig-cluster": "1.1",
    }  # fmt: skip


def test_numbering_continues_from_the_previous_volume(tmp_path: Path) -> None:
    root = copy_book(tmp_path)
    text = (root / "book.yml").read_text(encoding="utf-8")
    (root / "book.yml").write_text(text.replace("numbering: restart", "numbering: continue"))
    numbers = _numbers(root)
    assert [numbers[f"vol2/{n}.md"] for n in ("scale", "fleet")] == ["3", "4"]
    assert numbers["fig-cluster"] == "3.1"
    assert numbers["appendix/glossary.md"] == "A"


def test_parts_restart_or_continue_with_the_chapters(tmp_path: Path) -> None:
    root = copy_book(tmp_path)
    _, parts = discover(load_project(root), Diagnostics())
    assert [(p.title, p.id, p.number, p.volume) for p in parts] == [
        ("Basics", "vol1-basics", "I", 0), ("Basics", "vol2-basics", "I", 1)]  # fmt: skip
    text = (root / "book.yml").read_text(encoding="utf-8")
    (root / "book.yml").write_text(text.replace("numbering: restart", "numbering: continue"))
    _, parts = discover(load_project(root), Diagnostics())
    assert [p.number for p in parts] == ["I", "II"]


# ---- HTML: references, navigation, search -----------------------------------------------
def test_references_into_another_volume_name_it_and_link_its_page(site) -> None:  # type: ignore[no-untyped-def]
    out, result = site
    assert result.diagnostics.items == []
    assert xrefs(out / "vol1" / "intro.html") == [
        ("../vol2/scale.html#sec-scale", "Volume&nbsp;II, Chapter&nbsp;1"),
        ("../vol2/scale.html#fig-cluster", "Volume&nbsp;II, Figure&nbsp;1.1"),
        ("hardware.html#sec-hardware-memory", "Section&nbsp;2.1"),
    ]
    assert xrefs(out / "vol2" / "scale.html") == [
        ("../vol1/intro.html#fig-node", "Volume&nbsp;I, Figure&nbsp;1.1"),
        ("../vol1/hardware.html#tbl-memory", "Volume&nbsp;I, Table&nbsp;2.1"),
        ("../vol1/hardware.html#sec-hardware-memory", "Volume&nbsp;I, Section&nbsp;2.1"),
        ("../vol1/intro.html#sec-intro", "Volume&nbsp;I, Chapter&nbsp;1"),
        ("fleet.html#sec-fleet", "Chapter&nbsp;2"),
        ("#fig-cluster", "Figure&nbsp;1.1"),
    ]
    # Shared pages belong to no volume: every numbered reference says which one it means.
    assert xrefs(out / "index.html") == [
        ("vol1/intro.html#sec-intro", "Volume&nbsp;I, Chapter&nbsp;1"),
        ("vol2/scale.html#sec-scale", "Volume&nbsp;II, Chapter&nbsp;1"),
    ]


def test_chapter_titles_without_section_numbers_keep_the_volume(tmp_path: Path) -> None:
    root = copy_book(tmp_path, html={"number-sections": False})
    build(root, BuildOptions(formats=["html"], out=tmp_path / "site", cache=False))
    assert xrefs(tmp_path / "site" / "vol1" / "intro.html")[0] == (
        "../vol2/scale.html#sec-scale",
        "Volume&nbsp;II, Chapter&nbsp;1: Scaling Out",
    )


NAV_VOLUME_2 = """<li class="nav-volume">
  <div class="nav-volume-title" id="nav-volume-vol2">
    <span class="nav-number">Volume II</span> <span class="nav-text">At Scale</span>
  </div>
  <ul aria-labelledby="nav-volume-vol2">
<li class="nav-part">
  <div class="nav-part-title" id="nav-part-vol2-basics"><span class="nav-number">I</span> <span class="nav-text">Basics</span>
  </div>
  <ul aria-labelledby="nav-part-vol2-basics">
<li class="nav-chapter"><a href="../vol2/scale.html" data-href="../vol2/scale.html"><span class="nav-number">1</span> <span class="nav-text">Scaling Out</span></a></li>
  </ul>
</li>
<li class="nav-chapter"><a href="../vol2/fleet.html" data-href="../vol2/fleet.html"><span class="nav-number">2</span> <span class="nav-text">Fleets</span></a></li>
  </ul>
</li>"""


def test_navigation_groups_each_volume_on_every_page(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    page = (out / "vol1" / "intro.html").read_text(encoding="utf-8")
    assert NAV_VOLUME_2 in page
    order = re.findall(r'<li class="nav-(\w+)">|id="nav-(?:volume|part)-([\w-]+)"|data-href="\.\./([^"]+)"', page)  # fmt: skip
    flat = [a or b or c for a, b, c in order if b or c]
    assert flat == ["index.html", "vol1", "vol1-basics", "vol1/intro.html", "vol1/hardware.html",
                    "vol2", "vol2-basics", "vol2/scale.html", "vol2/fleet.html", "appendices",
                    "appendix/glossary.html", "back/colophon.html"]  # fmt: skip


def test_breadcrumbs_name_the_volume(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    page = (out / "vol2" / "scale.html").read_text(encoding="utf-8")
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.DOTALL)
    assert crumbs is not None
    assert re.findall(r"<li>(.*?)</li>", crumbs[0]) == [
        "<span>Volume II: At Scale</span>", "<span>Basics</span>",
        '<span aria-current="page">Scaling Out</span>']  # fmt: skip


def test_search_covers_every_volume(site) -> None:  # type: ignore[no-untyped-def]
    out, _ = site
    docs = json.loads((out / "search.json").read_text(encoding="utf-8"))["docs"]
    pages = {d["href"].partition("#")[0] for d in docs}
    assert {"vol1/intro.html", "vol1/hardware.html", "vol2/scale.html", "vol2/fleet.html"} <= pages


# ---- --volume builds --------------------------------------------------------------------
def test_a_volume_build_renders_its_pages_and_the_shared_ones(tmp_path: Path) -> None:
    root = copy_book(tmp_path)
    out = tmp_path / "site"
    build(root, BuildOptions(formats=["html"], out=out, cache=False))
    (out / "vol1" / "intro.html").write_text("left by the previous build", encoding="utf-8")
    result = build(root, BuildOptions(formats=["html"], out=out, cache=False, volumes=["vol2"]))
    assert result.pages == 5  # index, scale, fleet, glossary, colophon
    assert (out / "vol1" / "intro.html").read_text() == "left by the previous build"
    assert xrefs(out / "vol2" / "scale.html")[0] == (
        "../vol1/intro.html#fig-node",
        "Volume&nbsp;I, Figure&nbsp;1.1",
    )


def test_a_chapter_scoped_build_in_a_volume_matches_the_full_build(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    full, _ = site
    root = copy_book(tmp_path)
    out = tmp_path / "site"
    result = build(root, BuildOptions(formats=["html"], out=out, cache=False,
                                      chapters=["scale"], volumes=["2"]))  # fmt: skip
    assert result.pages == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == [
        "404.html", "index.html", "vol2/scale.html"]  # fmt: skip
    assert xrefs(out / "vol2" / "scale.html") == xrefs(full / "vol2" / "scale.html")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PDF and EPUB of volume 1 (by number), volume 2 (by id) and the combined edition."""
    base = tmp_path_factory.mktemp("packaged")
    root = copy_book(base)
    code = main(["build", str(root), "--to", "pdf", "--to", "epub", "--out", str(base / "out"),
                 "--no-cache", "--volume", "1", "--volume", "vol2", "--volume", "all"])  # fmt: skip
    assert code == 0
    return base / "out"


def test_each_edition_gets_its_own_file_names(packaged: Path) -> None:
    assert sorted(p.name for p in packaged.iterdir() if p.suffix in (".pdf", ".epub")) == [
        "handbook-complete.epub", "handbook-complete.pdf", "handbook-one.epub",
        "handbook-one.pdf", "systems-handbook-vol2.epub", "systems-handbook-vol2.pdf"]  # fmt: skip


def test_without_volume_the_combined_edition_is_packaged(tmp_path: Path) -> None:
    root = copy_book(tmp_path)
    build(root, BuildOptions(formats=["epub"], out=tmp_path / "out", cache=False))
    assert [p.name for p in (tmp_path / "out").glob("*.epub")] == ["handbook-complete.epub"]


def _pdf(path: Path) -> tuple[str, Any]:
    import pypdf

    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), reader


def _link_targets(reader: Any) -> list[str]:
    targets = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def test_a_volume_pdf_holds_its_chapters_and_cites_the_other_volume(packaged: Path) -> None:
    text, reader = _pdf(packaged / "systems-handbook-vol2.pdf")
    assert reader.metadata.title == "Systems Handbook, Volume II: At Scale: Clusters and fleets"
    assert "Scaling Out" in text and "Fleets" in text and "Glossary" in text
    assert "One machine first" not in text  # volume 1's introduction is not in it
    assert ("A cluster multiplies the node of Volume I, Figure 1.1; its memory levels are those "
            "of Volume I, Table 2.1 in Volume I, Section 2.1, and Volume I, Chapter 1 set out "
            "the plan.") in text  # fmt: skip
    assert _link_targets(reader) == []  # no link to a page this file does not hold


def test_a_volume_links_the_other_volume_on_the_site_when_it_has_a_url(tmp_path: Path) -> None:
    root = copy_book(tmp_path, site={"url": "https://book.example.org/"})
    options = BuildOptions(
        formats=["pdf", "epub"], out=tmp_path / "out", cache=False, volumes=["1"]
    )
    build(root, options)
    intro = _epub(tmp_path / "out" / "handbook-one.epub")["intro.xhtml"]
    assert (
        '<a class="xref" href="https://book.example.org/vol2/scale.html#fig-cluster">'
        "Volume\xa0II, Figure\xa01.1</a>"
    ) in intro
    text, reader = _pdf(tmp_path / "out" / "handbook-one.pdf")
    assert (
        "Clusters come later, in Volume II, Chapter 1, and Volume II, Figure 1.1 shows one." in text
    )
    assert _link_targets(reader) == [
        "https://book.example.org/",  # the copyright page's "Online edition"
        "https://book.example.org/vol2/scale.html#sec-scale",  # from the shared home page
        "https://book.example.org/vol2/scale.html#sec-scale",
        "https://book.example.org/vol2/scale.html#fig-cluster",
    ]


def test_the_combined_pdf_links_across_volumes_inside_itself(packaged: Path) -> None:
    text, reader = _pdf(packaged / "handbook-complete.pdf")
    assert reader.metadata.title == "Systems Handbook: Complete Edition"
    assert "One machine first" in text and "Fleets are many clusters" in text
    assert _link_targets(reader) == []
    internal = [str(a.get_object().get("/Dest")) for p in reader.pages for a in p.get("/Annots") or []]  # fmt: skip
    assert "fig-cluster" in internal and "fig-node" in internal


def _epub(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n.removeprefix("EPUB/"): archive.read(n).decode() for n in archive.namelist()
                if n.endswith((".xhtml", ".opf"))}  # fmt: skip


def test_a_volume_epub_holds_its_chapters_and_cites_the_other_volume(packaged: Path) -> None:
    files = _epub(packaged / "handbook-one.epub")
    assert sorted(files) == ["colophon.xhtml", "content.opf", "cover.xhtml", "glossary.xhtml",
                             "hardware.xhtml", "index.xhtml", "intro.xhtml", "nav.xhtml"]  # fmt: skip
    assert (
        "<dc:title>Systems Handbook, Volume I: Single Machines</dc:title>" in files["content.opf"]
    )
    # No link: the text names the other volume (&nbsp; is a character in XHTML).
    assert ("One machine first. Clusters come later, in Volume\xa0II, Chapter\xa01, and "
            "Volume\xa0II, Figure\xa01.1 shows one.") in files["intro.xhtml"]  # fmt: skip
    assert (
        '<a class="xref" href="hardware.xhtml#sec-hardware-memory">Section\xa02.1</a>'
        in files["intro.xhtml"]
    )
    # Shared pages link what this volume holds and cite the rest.
    assert (
        '<a class="xref" href="intro.xhtml#sec-intro">Volume\xa0I, Chapter\xa01</a>'
        in files["index.xhtml"]
    )
    assert "; the second with Volume\xa0II, Chapter\xa01." in files["index.xhtml"]


def test_a_volume_epub_has_its_own_identifier_and_cover(packaged: Path) -> None:
    one = _epub(packaged / "handbook-one.epub")["content.opf"]
    two = _epub(packaged / "systems-handbook-vol2.epub")["content.opf"]
    ident = re.compile(r'<dc:identifier id="id">([^<]*)</dc:identifier>')
    assert ident.search(one)[1] != ident.search(two)[1]  # type: ignore[index]
    assert 'href="images/cover2.svg"' in two and "cover2" not in one
    assert '<dc:title id="subtitle">Clusters and fleets</dc:title>' in two


def test_the_combined_epub_links_across_volumes(packaged: Path) -> None:
    files = _epub(packaged / "handbook-complete.epub")
    assert (
        '<a class="xref" href="scale.xhtml#fig-cluster">Volume\xa0II, Figure\xa01.1</a>'
        in files["intro.xhtml"]
    )
    assert (
        '<a class="xref" href="intro.xhtml#fig-node">Volume\xa0I, Figure\xa01.1</a>'
        in files["scale.xhtml"]
    )
    # Numbers repeat across volumes: the contents group each volume's parts under it.
    assert (
        "<li><span>Volume II: At Scale</span><ol>\n<li><span>Basics</span><ol>\n"
        '<li><a href="scale.xhtml">1 Scaling Out</a>'
    ) in files["nav.xhtml"]
    one = _epub(packaged / "handbook-one.epub")["nav.xhtml"]
    assert (
        "Volume I" not in one and '<li><span>Basics</span><ol>\n<li><a href="intro.xhtml">' in one
    )


def test_each_edition_describes_itself(tmp_path: Path) -> None:
    root = copy_book(tmp_path, metadata={"identifier": "urn:isbn:9780000000000"})
    book = build(root, BuildOptions(formats=["html"], write=False, cache=False)).books["html"]
    two = edition_config(book, {"edition": edition(book, 1)})
    assert (two.title, two.subtitle, two.file_stem(), two.metadata) == (
        "Systems Handbook, Volume II: At Scale", "Clusters and fleets", "systems-handbook-vol2",
        {"identifier": "urn:isbn:9780000000000-vol2", "cover-image": "images/cover2.svg"})  # fmt: skip
    combined = edition_config(book, {})
    assert (combined.title, combined.file_stem(), combined.metadata) == (
        "Systems Handbook: Complete Edition", "handbook-complete",
        {"identifier": "urn:isbn:9780000000000"})  # fmt: skip


def test_download_menu_lists_each_edition_built() -> None:
    config = load_project(BOOK).config
    assert download_links(config, ["html", "pdf", "epub"], ["1", "II", "all"]) == [
        {"label": "PDF, Volume I", "href": "handbook-one.pdf"},
        {"label": "EPUB, Volume I", "href": "handbook-one.epub"},
        {"label": "PDF, Volume II", "href": "systems-handbook-vol2.pdf"},
        {"label": "EPUB, Volume II", "href": "systems-handbook-vol2.epub"},
        {"label": "PDF", "href": "handbook-complete.pdf"},
        {"label": "EPUB", "href": "handbook-complete.epub"},
    ]
    single = BookConfig(title="One Book")
    assert download_links(single, ["pdf"], []) == [{"label": "PDF", "href": "one-book.pdf"}]


def test_unknown_volume_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_book(tmp_path)
    assert main(["build", str(root), "--volume", "3", "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: no volume '3'; use a volume's number (1 to 2), its id (vol1, vol2) or 'all' "
        "for the combined edition"
    )


def test_volume_on_a_book_without_volumes_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "book.yml").write_text("title: T\nchapters: [a.md]\n", encoding="utf-8")
    assert main(["build", str(tmp_path), "--volume", "1", "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: --volume 1: this book has no volumes; declare them under volumes: in the "
        "config, or build without --volume"
    )


# ---- config errors ----------------------------------------------------------------------
BAD_VOLUMES = """\
title: T
chapters: [a.md]
volumes:
  - title: One
    output-name: t
    chapters: [b.md]
  - title: Two
    id: vol1
    numbering: again
    chapters: [c.md]
  - title: Three
    id: all
  - subtitle: No title
    chapters: [c.md]
"""


def test_volume_config_errors_are_reported_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.yml").write_text(BAD_VOLUMES, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_project(tmp_path)
    assert str(err.value) == (
        "invalid configuration (7 problems):\n"
        "book.yml:9: volumes[1].numbering: expected one of 'restart', 'continue', got 'again'\n"
        "book.yml:13: volumes[3]: missing required option 'title'\n"
        "book.yml:2: chapters: a book with volumes lists its chapters under each volume; move "
        "these entries into a volume's chapters\n"
        "book.yml:5: volumes[0].output-name: 't' is already the file name of the combined "
        "edition; give each edition its own output-name\n"
        "book.yml:8: volumes[1].id: 'vol1' is already the id of volumes[0]; give each volume "
        "its own id\n"
        "book.yml:12: volumes[2].id: 'all' cannot be a volume's id (--volume reads 'all' as the "
        "combined edition and a number as a volume's position); choose another, such as 'vol3'\n"
        "book.yml:11: volumes[2]: the volume lists no chapters; add its chapters or remove the "
        "volume"
    )


def test_a_combined_edition_needs_volumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.yml").write_text("title: T\ncombined:\n  title: All\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_project(tmp_path)
    assert str(err.value) == (
        "invalid configuration (1 problem):\n"
        "book.yml:2: combined: only a book with volumes has a combined edition; declare volumes "
        "or remove combined"
    )


# ---- the real book's two-volume sidebar (config/_quarto-html-volumes-test.yml) ------------
def test_quarto_volume_sidebar_becomes_volumes(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "book"
    root.mkdir()
    for entry in corpus.iterdir():
        if entry.name != "_quarto.yml":
            (root / entry.name).symlink_to(entry)
    (root / "_quarto.yml").write_text("config/_quarto-html-volumes-test.yml\n", encoding="utf-8")
    project = load_project(root)
    config = project.config
    assert config.chapters == []
    assert [(v.id, v.title) for v in config.volumes] == [
        ("volume-1", "Introduction"), ("volume-2", "Advanced")]  # fmt: skip
    assert [p.part for p in config.volumes[1].chapters] == [  # type: ignore[union-attr]
        "Foundations of Scale", "Distributed & Edge Systems", "Reliability & Operations",
        "Responsible Deployment"]  # fmt: skip
    assert [i.file for i in config.back_matter] == ["contents/backmatter/glossary/glossary.qmd"]
    sources, parts = discover(project, Diagnostics())
    by_rel = {s.rel: s for s in sources}
    assert by_rel["contents/core/conclusion/conclusion.qmd"].volume == 0
    ondevice = by_rel["contents/core/ondevice_learning/ondevice_learning.qmd"]
    assert (ondevice.volume, ondevice.nav_title, parts[ondevice.part].number) == (  # type: ignore[index]
        1,
        "On-Device Learning",
        "II",
    )
    assert by_rel["index.qmd"].volume is None
    assert len([s for s in sources if s.volume == 1 and s.role == "chapter"]) == 16
