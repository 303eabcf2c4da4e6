"""Cutting the print book into pieces (pdf_pieces.py) and handing WeasyPrint its drawings
as files (pdf_drawings.py): the parts of the PDF writer that need no layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup
from PIL import Image

from mlsysgen.writers import pdf_pieces
from mlsysgen.writers.pdf_drawings import Drawings
from mlsysgen.writers.pdf_pieces import balanced_runs, best_runs, cost, schedule_end
from mlsysgen.writers.print_doc import PrintChapter

FORMULA = '<svg xmlns="http://www.w3.org/2000/svg" width="1em" height="1em" style="vertical-align: -0.2em" class="math-svg" role="img" aria-label="x"><path d="M 0 0 L 1 1"/></svg>'  # fmt: skip
DIAGRAM = '<svg xmlns="http://www.w3.org/2000/svg" width="90pt" height="30pt" viewBox="0 0 90 30" class="diagram" role="img" aria-label="A &amp; B"><title>A &amp; B</title><rect width="90" height="30"/></svg>'  # fmt: skip


def chapter(body: str) -> PrintChapter:
    return PrintChapter("a", "main", "", Markup(""), "", Markup(body))


# --- the cost of a chapter ------------------------------------------------------------------


def test_cost_counts_text_formulas_diagrams_and_pixels(tmp_path: Path) -> None:
    assert cost(chapter("<p>Hello <em>world</em></p>")) == len("Hello world")
    assert cost(chapter(f"<p>ab{FORMULA}</p>")) == 2 + pdf_pieces._FORMULA
    assert cost(chapter(DIAGRAM)) == pytest.approx(len(DIAGRAM) * pdf_pieces._DIAGRAM_CHAR)
    photo = tmp_path / "photo one.png"
    Image.new("RGB", (110, 20)).save(photo)
    assert cost(chapter(f'<img src="{photo.as_uri()}" alt="">')) == 2200 * pdf_pieces._PIXEL
    assert cost(chapter('<img src="file:///nowhere/missing.png" alt="">')) == 0


# --- where the book is cut ------------------------------------------------------------------


def test_balanced_runs_cut_at_chapters_by_cost() -> None:
    costs = [50.0, 10, 10, 30, 60, 40]
    assert balanced_runs(costs, 3) == [[0, 1, 2], [3, 4], [5]]
    assert balanced_runs(costs[:3], 3) == [[0], [1], [2]]


def test_schedule_end_starts_each_run_in_order_on_the_first_free_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_pieces, "PIECE_OVERHEAD", 1)
    costs = [10.0, 4, 4, 4, 9]
    # Two processes: 0 runs 0-11; 1 runs 0-5, 5-10, 10-15; run 4 starts at 11, ends at 21.
    assert schedule_end([[0], [1], [2], [3], [4]], costs, 2) == 21
    assert schedule_end([[0, 1, 2, 3, 4]], costs, 2) == 32


def test_best_runs_leave_small_pieces_for_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_pieces, "PIECE_OVERHEAD", 1)
    monkeypatch.setattr(pdf_pieces, "PIECE_CHARS", 1000)
    costs = [20.0, 20, 20, 20, 5, 5, 5, 5]
    runs = best_runs(costs, 2)
    assert sorted(i for run in runs for i in run) == list(range(8))  # every chapter, in order
    assert schedule_end(runs, costs, 2) <= min(
        schedule_end(balanced_runs(costs, n), costs, 2) for n in range(2, 9)
    )
    assert schedule_end(runs, costs, 2) == 53  # 100 of work and 3 starts on two processes
    assert all(sum(costs[i] for i in run) <= 10 for run in runs[-2:])


def test_best_runs_keep_pieces_within_their_largest_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_pieces, "PIECE_CHARS", 25)
    runs = best_runs([10.0, 10, 10, 10, 30, 10], 2)
    assert all(len(run) == 1 or sum(10 for _ in run) <= 25 for run in runs)
    assert [4] in runs  # a chapter larger than a piece is a piece of its own


def test_a_short_book_is_one_document() -> None:
    chapters = [chapter("<p>short</p>"), chapter("<p>also short</p>")]
    assert pdf_pieces.plan_pieces(chapters, 2) is None
    assert pdf_pieces.plan_pieces(chapters, 1) is None


def test_relink_marks_links_to_other_pieces() -> None:
    document = '<h2 id="sec-a">A</h2><a href="#sec-a">here</a> <a href="#sec-b">there</a>'
    assert pdf_pieces.relink(document) == (
        '<h2 id="sec-a">A</h2><a href="#sec-a">here</a> <a href="mlsysgen-dest:sec-b">there</a>'
    )


# --- drawings as files ----------------------------------------------------------------------


def test_drawings_become_images_of_their_own_files(tmp_path: Path) -> None:
    drawings = Drawings(tmp_path)
    document = f"<p>x {FORMULA} and {FORMULA}</p><figure>{DIAGRAM}</figure>"
    out = drawings.externalize(document)
    files = sorted(tmp_path.glob("*.svg"))
    assert len(files) == 2  # the formula twice, one file
    assert {f.read_text(encoding="utf-8") for f in files} == {FORMULA, DIAGRAM}
    formula = next(f for f in files if "math-svg" in f.read_text(encoding="utf-8"))
    assert (
        out.count(
            f'<img class="math-svg" src="{formula.as_uri()}" alt="x" style="vertical-align: -0.2em">'
        )
        == 2
    )
    assert '<img class="diagram" src="file://' in out and 'alt="A &amp; B">' in out
    assert "<svg" not in out


def test_other_svg_and_broken_markup_stay_inline(tmp_path: Path) -> None:
    own = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'
    broken = FORMULA.replace("<path", "<path&nbsp;")
    nested = DIAGRAM.replace("<rect", '<svg x="1"><rect/></svg><rect')
    out = Drawings(tmp_path).externalize(own + broken + nested)
    assert out.startswith(own + broken)  # not ours, and not XML: left to the HTML parser
    assert out.endswith('alt="A &amp; B">')  # the nested <svg> went with its drawing
    assert [f.read_text(encoding="utf-8") for f in tmp_path.glob("*.svg")] == [nested]
