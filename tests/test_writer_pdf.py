"""The PDF writer: the print document laid out by WeasyPrint, checked with pypdf."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mlsysgen.build import BuildOptions, BuildResult, build
from mlsysgen.render.math import render_math_html, to_svg
from mlsysgen.writers import pdf_pieces
from mlsysgen.writers.print_doc import build_print_html
from mlsysgen.writers.theme import Theme

from .helpers import write_book, write_files

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as exc:  # OSError: Pango is missing
    pytest.skip(
        f"WeasyPrint cannot be imported ({exc}); install mlsysgen[pdf]", allow_module_level=True
    )
pypdf = pytest.importorskip(
    "pypdf", reason="pypdf reads the PDFs these tests check (mlsysgen[dev])"
)
pytest.importorskip("ziamath", reason="ziamath draws math for print (mlsysgen[pdf])")

ROOT = Path(__file__).resolve().parents[1]

BOOK_YML = """\
title: Tiny Print Book
subtitle: Pages for testing
authors: [Ada Lovelace, Charles Babbage]
date: "2025-01-15"
language: en
front-matter: [preface.md]
chapters:
  - part: Basics
    chapters: [intro.md, memory.md]
appendices: [notes.md]
pdf:
  number-sections: true
"""

PREFACE = """# Preface {.unnumbered}

A book to test the print writer.
"""

INTRO = """# Introduction {#sec-intro}

## Scope {#sec-intro-scope}

This chapter points at @fig-stack and at @sec-memory-bandwidth in the next chapter.
Energy matters[^energy] more than speed.

[^energy]: Moving a byte from DRAM costs far more than an add.

![The system stack.](stack.svg){#fig-stack}

## Formulas {#sec-intro-math}

Intensity is $I = \\frac{W}{Q}$ operations per byte, and the roof is

$$
P = \\min(\\pi, \\beta I)
$$ {#eq-roof}

as @eq-roof says.
"""

MEMORY = """# Memory {#sec-memory}

## Bandwidth {#sec-memory-bandwidth}

| Level | Size |
|-------|------|
| HBM   | 80 GB |
| SRAM  | 50 MB |

: Memory levels. {#tbl-levels}

```python
def copy(src, dst):
    dst[:] = src  # a very long comment that must wrap at the margin rather than be cut off at the edge of the page
```

See @tbl-levels and @fig-stack.
"""

NOTES = """# Notes {#sec-notes}

Back to @sec-intro.
"""

STACK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80">'
    '<rect x="10" y="10" width="180" height="60" fill="#ccd"/></svg>'
)


def _build_pdf(root: Path, out: Path) -> tuple[BuildResult, Any]:
    result = build(root, BuildOptions(formats=["pdf"], out=out, cache=False))
    pdfs = list(out.glob("*.pdf"))
    assert len(pdfs) == 1, pdfs
    return result, pypdf.PdfReader(pdfs[0])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Any]:
    base = tmp_path_factory.mktemp("tiny")
    root = write_book(
        base / "book",
        {
            "book.yml": BOOK_YML,
            "preface.md": PREFACE,
            "intro.md": INTRO,
            "memory.md": MEMORY,
            "notes.md": NOTES,
            "stack.svg": STACK_SVG,
        },
    )
    return _build_pdf(root, base / "out")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Any]:
    """The sample book, copied (with its bibliography) so nothing is written into content/."""
    base = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "content", base / "content", ignore=shutil.ignore_patterns(".mlsysgen"))
    shutil.copytree(ROOT / "bibliography", base / "bibliography")
    shutil.copytree(ROOT / "labs", base / "labs", ignore=shutil.ignore_patterns("__pycache__"))
    config = base / "content" / "book.yml"
    text = config.read_text(encoding="utf-8")
    if not re.search(r"^pdf:", text, re.MULTILINE):
        # The print book numbers its sections (the sample's own config may not say so yet).
        config.write_text(text + "pdf:\n  number-sections: true\n", encoding="utf-8")
    return _build_pdf(base / "content", base / "out")


def _outline(reader: Any) -> list[tuple[int, str, int]]:
    entries: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return entries


def _page_texts(reader: Any) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _link_targets(reader: Any) -> list[str]:
    targets = []
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                targets.append(str(annot["/Dest"]))
    return targets


# --- the small book ---------------------------------------------------------------------


def test_tiny_book_has_pages_and_metadata(tiny: tuple[BuildResult, Any]) -> None:
    result, reader = tiny
    assert not result.diagnostics.errors
    assert len(reader.pages) > 6
    meta = reader.metadata
    assert meta.title == "Tiny Print Book: Pages for testing"
    assert meta.author == "Ada Lovelace, Charles Babbage" or "Ada Lovelace" in meta.author
    assert reader.trailer["/Root"].get("/Lang") == "en"


def test_tiny_book_outline_has_parts_chapters_and_sections(
    tiny: tuple[BuildResult, Any],
) -> None:
    outline = _outline(tiny[1])
    titles = [(depth, title) for depth, title, _ in outline]
    assert (0, "Preface") in titles
    assert (0, "I. Basics") in titles
    assert (1, "Chapter 1: Introduction") in titles
    assert (2, "1.1 Scope") in titles
    assert (1, "Chapter 2: Memory") in titles
    assert (2, "2.1 Bandwidth") in titles
    assert (0, "Appendix A: Notes") in titles
    # Each chapter opens on a right-hand (odd, 1-based) page.
    chapters = [page for depth, title, page in outline if title.startswith(("Chapter", "Appendix"))]
    assert chapters and all(page % 2 == 0 for page in chapters)


def test_tiny_book_links_point_inside_the_document(tiny: tuple[BuildResult, Any]) -> None:
    reader = tiny[1]
    targets = _link_targets(reader)
    names = set(reader.named_destinations)
    assert {"fig-stack", "sec-memory-bandwidth", "tbl-levels", "eq-roof", "sec-intro"} <= set(
        targets
    )
    assert set(targets) <= names


def test_tiny_book_text_numbers_math_and_contents(tiny: tuple[BuildResult, Any]) -> None:
    pages = _page_texts(tiny[1])
    text = " ".join(pages)
    assert "Figure 1.1" in text and "Table 2.1" in text and "Equation 1.1" in text
    assert "Section 2.1" in text
    assert r"I = \frac{W}{Q}" in text  # the formula's TeX rides invisibly under its drawing
    assert "??" not in text and "?@" not in text
    contents = next(p for p in pages if p.startswith("Contents"))
    assert re.search(r"Introduction ?\.+ ?\d+", contents)
    assert "Part I Basics" in contents
    # Front matter in roman numerals, the first chapter on arabic page 1 or 3.
    assert re.search(r"Preface ?\.+ ?[ivx]+", contents)


def test_tiny_book_footnote_on_the_page_of_its_call(tiny: tuple[BuildResult, Any]) -> None:
    pages = _page_texts(tiny[1])
    note = [i for i, p in enumerate(pages) if "Moving a byte from DRAM" in p]
    call = [i for i, p in enumerate(pages) if "Energy matters" in p]
    assert note and note == call


def test_tiny_book_code_is_wrapped_not_cut(tiny: tuple[BuildResult, Any]) -> None:
    text = " ".join(_page_texts(tiny[1]))
    assert "rather than be cut off at the edge of the page" in text


def test_print_html_has_svg_math_and_no_mathml(tiny: tuple[BuildResult, Any]) -> None:
    result, _ = tiny
    book, ctx = result.books["pdf"], result.contexts["pdf"]
    document = build_print_html(book, ctx, Theme(book.project.root))
    assert "<math" not in document
    assert 'role="img" aria-label="I = \\frac{W}{Q}"' in document
    ids = re.findall(r'\sid="([^"]+)"', document)
    assert len(ids) == len(set(ids))


# --- the sample book --------------------------------------------------------------------


def test_sample_book_builds_with_numbers_bookmarks_and_links(
    sample: tuple[BuildResult, Any],
) -> None:
    result, reader = sample
    assert not result.diagnostics.errors
    text = " ".join(_page_texts(reader))
    assert "Figure 2.1" in text and "2.3" in text
    assert "??" not in text and "?@" not in text
    chapters = [t for d, t, _ in _outline(reader) if t.startswith(("Chapter", "Appendix"))]
    assert len(chapters) == 9  # the combined edition: Volume I's 7, Volume II's 1, Appendix A
    targets = _link_targets(reader)
    assert len(targets) > 20 and set(targets) <= set(reader.named_destinations)


# --- math as SVG ------------------------------------------------------------------------


def test_to_svg_sits_on_the_baseline_with_alt_text() -> None:
    svg = to_svg(r"\frac{a}{b}", False)
    assert svg.startswith("<svg ")
    opening = svg[: svg.index(">")]
    assert 'role="img"' in opening and r'aria-label="\frac{a}{b}"' in opening
    assert re.search(r'width="[\d.]+em" height="[\d.]+em"', opening)
    depth = float(re.search(r"vertical-align: (-?[\d.]+)em", opening)[1])
    assert depth < 0  # the denominator hangs below the baseline


def test_to_svg_has_no_ids_to_collide() -> None:
    twice = to_svg("x^2", False) + to_svg("x^2", False)
    assert "id=" not in twice and "<symbol" not in twice


def test_render_math_html_for_pdf() -> None:
    inline = render_math_html("x", False, fmt="pdf")
    assert inline.startswith('<span class="math inline"><svg ')
    assert '<span class="math-text">x</span>' in inline
    display = render_math_html("x", True, "3.2", fmt="pdf")
    assert display.startswith('<div class="math display"><svg ')
    assert display.endswith('<span class="eq-number">(3.2)</span></div>')
    assert "<math" not in inline + display


# --- a book laid out in pieces ----------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_pieces(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Any]:
    """The tiny book laid out in pieces (one per chapter) by two processes, as a long book is."""
    base = tmp_path_factory.mktemp("pieces")
    root = write_book(
        base / "book",
        {
            "book.yml": BOOK_YML,
            "preface.md": PREFACE,
            "intro.md": INTRO,
            "memory.md": MEMORY,
            "notes.md": NOTES,
            "stack.svg": STACK_SVG,
        },
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_pieces, "SPLIT_CHARS", 0)
        mp.setattr(pdf_pieces, "PIECE_CHARS", 1)
        mp.setenv("MLSYSGEN_PDF_JOBS", "2")
        return _build_pdf(root, base / "out")


def _page_of(reader: Any, text: str) -> int:
    return next(i for i, page in enumerate(_page_texts(reader)) if text in page)


def test_pieces_make_the_same_book_as_one_document(
    tiny: tuple[BuildResult, Any], tiny_pieces: tuple[BuildResult, Any]
) -> None:
    result, reader = tiny_pieces
    assert not result.diagnostics.errors and not result.diagnostics.warnings
    assert result.contexts["pdf"].data["pdf_timings"].pieces == 4  # front + 3 chapters
    one = tiny[1]
    assert len(reader.pages) == len(one.pages)
    assert _outline(reader) == _outline(one)
    assert reader.metadata.title == "Tiny Print Book: Pages for testing"
    assert reader.trailer["/Root"].get("/Lang") == "en"


def test_pieces_number_pages_on_from_piece_to_piece(tiny_pieces: tuple[BuildResult, Any]) -> None:
    reader = tiny_pieces[1]
    labels = reader.page_labels
    intro, memory, notes = (_page_of(reader, t) for t in ("CHAPTER 1", "CHAPTER 2", "APPENDIX A"))
    assert (labels[intro], labels[memory], labels[notes]) == ("3", "5", "7")
    assert labels[_page_of(reader, "Preface A book")] == "v"
    texts = _page_texts(reader)
    # A chapter's first page shows its number at the foot: the last word extracted.
    assert [texts[i].split()[-1] for i in (intro, memory, notes)] == ["3", "5", "7"]
    contents = next(p for p in texts if p.startswith("Contents"))
    assert re.search(r"Introduction ?\.+ ?3 ", contents)
    assert re.search(r"Memory ?\.+ ?5 2\.1 Bandwidth ?\.+ ?5 ", contents)
    assert re.search(r"Notes ?\.+ ?7\b", contents)


def test_pieces_link_across_pieces(tiny_pieces: tuple[BuildResult, Any]) -> None:
    reader = tiny_pieces[1]
    names = reader.named_destinations
    memory = _page_of(reader, "CHAPTER 2")
    links = {}
    for page_number, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            assert "/A" not in annot or not str(annot["/A"].get("/URI", "")).startswith(
                pdf_pieces.DEST_SCHEME
            )
            if "/Dest" in annot:
                links[(page_number, str(annot["/Dest"]))] = reader.get_destination_page_number(
                    names[str(annot["/Dest"])]
                )
    figure = _page_of(reader, "Figure 1.1: The system stack")
    assert links[(memory, "fig-stack")] == figure  # chapter 2's piece → chapter 1's
    assert links[(_page_of(reader, "APPENDIX A"), "sec-intro")] == _page_of(reader, "CHAPTER 1")
    contents = _page_of(reader, "Contents")
    assert links[(contents, "sec-memory-bandwidth")] == memory


# --- options from a per-format Quarto config ---------------------------------------------


def test_quarto_pdf_and_epub_options_come_from_their_own_configs(tmp_path: Path) -> None:
    """As the real textbook: _quarto.yml names config/_quarto-html.yml, and the PDF and
    EPUB configs beside it hold those formats' options (the PDF's in an extension format)."""
    from mlsysgen.config.load import load_project

    root = tmp_path / "book"
    files = {
        "_quarto.yml": "config/_quarto-html.yml\n",
        "config/_quarto-html.yml": "project: {type: book}\nbook:\n  title: T\n"
        "  chapters: [index.md]\nformat:\n  html: {toc-depth: 4}\n",
        "config/_quarto-pdf.yml": "format:\n  titlepage-pdf:\n    number-sections: true\n"
        "    number-depth: 3\n    toc-depth: 2\n    citation-location: block\n",
        "config/_quarto-epub.yml": "format:\n  epub: {toc-title: Table of Contents}\n",
        "index.md": "# Home\n",
    }
    write_files(root, files)
    project = load_project(root)
    config = project.config
    assert (config.pdf.number_sections, config.pdf.number_depth, config.pdf.toc_depth) == (
        True,
        3,
        2,
    )
    assert config.pdf.citation_location == "document"
    assert config.epub.toc_title == "Table of Contents" and not config.epub.number_sections
    assert config.html.toc_depth == 4 and not config.html.number_sections
    assert (
        "config/_quarto-pdf.yml:2: pdf options with no meaning here, left out: "
        "citation-location: block"
    ) in project.notes


def test_the_printed_book_is_titled_by_its_own_quarto_config(tmp_path: Path) -> None:
    """The real textbook's site calls itself "ML Systems Textbook"; its _quarto-pdf.yml
    titles the printed book, names its author and cover: the PDF shows those."""
    root = tmp_path / "book"
    files = {
        "_quarto.yml": "config/_quarto-html.yml\n",
        "config/_quarto-html.yml": "project: {type: book}\nwebsite: {title: Site Name}\n"
        "book:\n  title: Site Name\n  author: Web Team\n  chapters: [index.md]\n",
        "config/_quarto-pdf.yml": "book:\n  title: The Printed Book\n"
        "  subtitle: In Ink\n  date: 2025-03-01\n  cover-image: cover.png\n"
        "  author:\n    name: Ada Lovelace\n    affiliations: Analytical Engines\n"
        "format:\n  titlepage-pdf: {toc: true}\n",
        "index.md": "# Home\n\nWelcome.\n",
    }
    write_files(root, files)
    Image.new("RGB", (60, 80), (200, 40, 40)).save(root / "cover.png")
    result, reader = _build_pdf(root, tmp_path / "out")
    pdf = result.contexts["pdf"].options
    assert (pdf.title, pdf.subtitle, pdf.authors, pdf.date, pdf.cover) == (
        "The Printed Book", "In Ink", ["Ada Lovelace"], "2025-03-01", "cover.png"
    )  # fmt: skip
    assert reader.metadata.title == "The Printed Book: In Ink"
    assert reader.metadata.author == "Ada Lovelace"
    assert reader.metadata.creation_date.date().isoformat() == "2025-03-01"
    cover = _page_texts(reader)[0]
    assert cover == "The Printed Book In Ink Ada Lovelace 2025-03-01"
    (image,) = reader.pages[0].images  # the cover image, above the titles
    assert image.image.size == (60, 80)
    assert "© 2025 Ada Lovelace" in _page_texts(reader)[1]


# --- page references in a book laid out in pieces ------------------------------------------

QUIZ_JSON = """{"sections": [{"section_id": "#sec-memory-bandwidth", "quiz_data": {
  "quiz_needed": true, "questions": [
  {"question_type": "TF", "question": "True or False: SRAM is larger than HBM.",
   "answer": "False. HBM holds gigabytes."},
  {"question_type": "SHORT", "question": "Why do caches help?",
   "answer": "They keep reused data close."}]}}]}"""


@pytest.fixture(scope="module")
def quiz_books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    """A book whose second chapter has a self-check, as one document and in pieces."""
    base = tmp_path_factory.mktemp("quizzes")
    files = {
        "book.yml": BOOK_YML,
        "preface.md": PREFACE,
        "intro.md": INTRO,
        "memory.md": "---\nquiz: memory_quizzes.json\n---\n\n" + MEMORY,
        "memory_quizzes.json": QUIZ_JSON,
        "notes.md": NOTES,
        "stack.svg": STACK_SVG,
    }
    one = _build_pdf(write_book(base / "one", files), base / "one-out")[1]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_pieces, "SPLIT_CHARS", 0)
        mp.setattr(pdf_pieces, "PIECE_CHARS", 1)
        mp.setenv("MLSYSGEN_PDF_JOBS", "2")
        result, pieces = _build_pdf(write_book(base / "pieces", files), base / "pieces-out")
    assert result.contexts["pdf"].data["pdf_timings"].pieces == 4
    return one, pieces


def _page_references(reader: Any) -> list[tuple[str, str]]:
    """(page label, "See answer (p. N)" or "Back to question (p. N)"), in reading order."""
    found = []
    for label, text in zip(reader.page_labels, _page_texts(reader), strict=True):
        found += [
            (label, m) for m in re.findall(r"(?:See answer|Back to question) \(p\. \d+\)", text)
        ]
    return found


def test_page_references_in_a_later_piece_show_the_book_page(quiz_books: tuple[Any, Any]) -> None:
    one, pieces = quiz_books
    references = _page_references(pieces)
    # One document numbers its pages itself (no page labels): compare what they print.
    assert [text for _, text in references] == [text for _, text in _page_references(one)]
    (asked, see), (answered, back) = references[0], references[-1]
    assert see == f"See answer (p. {answered})" and back == f"Back to question (p. {asked})"
    assert int(asked) > 3  # in the second chapter's piece, whose own pages start at 1
    # The links lead there too.
    names = pieces.named_destinations
    targets = {
        pieces.get_destination_page_number(names[str(annot.get_object()["/Dest"])])
        for page in pieces.pages
        for annot in page.get("/Annots") or []
        if "quiz" in str(annot.get_object().get("/Dest", ""))
    }
    labels = pieces.page_labels
    assert {labels[i] for i in targets} == {asked, answered}


def test_quiz_page_references_do_not_make_weasyprint_lay_pages_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With target-counter(), a page linking forward to an answer was laid out again once
    the answer's page was known, and every page after it whose breaks moved: a chapter
    with quizzes was laid out two or three times. The numbers are filled in afterwards."""
    import weasyprint.layout.page as page_layout

    made: list[int] = []
    real = page_layout.make_page

    def counting(context, root_box, page_type, resume_at, page_number, page_state):  # type: ignore[no-untyped-def]
        made.append(page_number)
        return real(context, root_box, page_type, resume_at, page_number, page_state)

    monkeypatch.setattr(page_layout, "make_page", counting)
    monkeypatch.setenv("MLSYSGEN_PDF_JOBS", "1")  # in this process, where make_page is counted
    files = {"book.yml": BOOK_YML, "preface.md": PREFACE, "intro.md": INTRO,
             "memory.md": "---\nquiz: memory_quizzes.json\n---\n\n" + MEMORY,
             "memory_quizzes.json": QUIZ_JSON, "notes.md": NOTES, "stack.svg": STACK_SVG}  # fmt: skip
    reader = _build_pdf(write_book(tmp_path / "book", files), tmp_path / "out")[1]
    references = _page_references(reader)
    assert len(references) == 4 and all(not text.endswith("(p. 00)") for _, text in references)
    # Only the contents page, whose entries show later pages, is laid out again.
    again = [number for number, times in Counter(made).items() if times > 1]
    assert len(again) <= 1, sorted(made)


def test_a_book_dated_today_prints_the_day_and_dates_the_pdf_without_a_warning(
    tmp_path: Path,
) -> None:
    """``date: today`` (the real textbook's) is printed as "March 1, 2025" on the cover;
    the PDF's metadata takes the ISO date, which WeasyPrint warned about before."""
    import datetime

    root = write_book(tmp_path / "book", {"intro.md": "# Intro\n\nText.\n"},
                      {"date": "today"})  # fmt: skip
    result, reader = _build_pdf(root, tmp_path / "out")
    today = datetime.date.today()
    assert today.strftime("%B %-d, %Y") in _page_texts(reader)[0]
    assert reader.metadata.creation_date.date() == today
    assert not [d for d in result.diagnostics.items if "date" in str(d)]
