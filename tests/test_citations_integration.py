"""Citations through the whole pipeline: resolution, placement, unknown keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.build import BuildOptions, build
from mlsysgen.errors import BuildFailed

from .helpers import write_book

BIB = """@article{dean2008mapreduce,
  title = {{MapReduce}: Simplified Data Processing on Large Clusters},
  author = {Dean, Jeffrey and Ghemawat, Sanjay},
  journal = {Communications of the ACM},
  volume = {51}, number = {1}, pages = {107--113}, year = {2008},
  doi = {10.1145/1327452.1327492}
}
@inproceedings{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2017}
}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _build(tmp_path: Path, text: str, config: dict | None = None, strict: bool = False) -> tuple[str, list[str]]:
    root = write_book(tmp_path / "b", {"ch.md": text, "refs.bib": BIB}, {"bibliography": ["refs.bib"], **(config or {})})
    try:
        result = build(root, BuildOptions(formats=["html"], out=tmp_path / "site", cache=False, strict=strict))
    except BuildFailed as exc:
        return "", [str(d) for d in exc.result.diagnostics.items]
    return (tmp_path / "site" / "ch.html").read_text(), [str(d) for d in result.diagnostics.items]


def test_citation_links_to_its_entry_at_the_chapter_end(tmp_path: Path) -> None:
    page, messages = _build(tmp_path, "# C\n\nAs shown [@dean2008mapreduce].\n")
    assert messages == []
    assert '<span class="citation" data-cites="dean2008mapreduce"><a href="#ref-dean2008mapreduce" role="doc-biblioref">(Dean and Ghemawat 2008)</a></span>' in page
    assert '<section id="references" class="references" role="doc-bibliography"><h2 class="references-title">References</h2>' in page
    assert '<div id="ref-dean2008mapreduce" class="csl-entry" role="listitem">' in page


def test_narrative_multiple_and_locator_forms(tmp_path: Path) -> None:
    page, _ = _build(tmp_path, "# C\n\n@vaswani2017attention showed it; see [@dean2008mapreduce; @vaswani2017attention] and [see @dean2008mapreduce, pp. 33-35] and [-@dean2008mapreduce].\n")
    assert ">Vaswani et al. (2017)<" in page
    assert ">(Dean and Ghemawat 2008; Vaswani et al. 2017)<" in page
    assert ">(see Dean and Ghemawat 2008, 33–35)<" in page
    assert ">(2008)<" in page


def test_margin_placement_puts_entries_beside_the_paragraph(tmp_path: Path) -> None:
    page, _ = _build(tmp_path, "# C\n\nFirst [@dean2008mapreduce].\n\nAgain [@dean2008mapreduce].\n",
                     {"html": {"citation-location": "margin"}})
    assert page.count('id="ref-dean2008mapreduce"') == 1
    assert '<aside class="margin-references" role="list"><div id="ref-dean2008mapreduce"' in page
    assert page.index('class="margin-references"') < page.index("<p>First")
    assert 'class="references" role="doc-bibliography"' not in page


def test_refs_div_places_the_list(tmp_path: Path) -> None:
    page, _ = _build(tmp_path, "# C\n\nCited [@vaswani2017attention].\n\n## Bibliography\n\n::: {#refs}\n:::\n\nAfter.\n")
    assert '<div id="refs" class="references csl-bib-body" role="list">\n<div id="ref-vaswani2017attention"' in page
    assert 'class="references" role="doc-bibliography"' not in page


def test_citations_in_footnotes_and_captions_resolve(tmp_path: Path) -> None:
    page, messages = _build(tmp_path, "# C\n\n![A figure [@dean2008mapreduce].](x.png){#fig-a}\n\nText[^n].\n\n[^n]: A note [@vaswani2017attention].\n")
    assert [m for m in messages if "citation" in m] == []
    assert page.count('class="citation"') >= 2


def test_unknown_key_is_bold_and_warned(tmp_path: Path) -> None:
    page, messages = _build(tmp_path, "# C\n\nSee [@nobody2020].\n")
    assert '<strong class="citation-unknown">?nobody2020</strong>' in page
    assert "b/ch.md:3: warning: unknown citation key 'nobody2020'; add it to a .bib file of this chapter or the book" in messages


def test_unknown_key_fails_under_strict(tmp_path: Path) -> None:
    _, messages = _build(tmp_path, "# C\n\nSee [@nobody2020].\n", strict=True)
    assert "b/ch.md:3: error: unknown citation key 'nobody2020'; add it to a .bib file of this chapter or the book" in messages


def test_email_and_code_are_not_citations(tmp_path: Path) -> None:
    page, messages = _build(tmp_path, "# C\n\nMail a@dean2008mapreduce.org or `[@dean2008mapreduce]`.\n")
    assert messages == []
    assert 'class="citation"' not in page


def test_chapter_bibliography_wins_over_the_project(tmp_path: Path) -> None:
    chapter_bib = BIB.replace("Simplified Data Processing", "Chapter-Local Title")
    root = write_book(tmp_path / "b", {"ch.md": "---\nbibliography: local.bib\n---\n# C\n\n[@dean2008mapreduce]\n",
                                       "local.bib": chapter_bib, "refs.bib": BIB}, {"bibliography": ["refs.bib"]})
    build(root, BuildOptions(formats=["html"], out=tmp_path / "site", cache=False))
    assert "Chapter-Local Title" in (tmp_path / "site" / "ch.html").read_text()
