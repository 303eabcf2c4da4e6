"""A multi-volume book's PDFs: the combined edition opens each volume with a divider page
and nests the bookmarks volume → part → chapter → section, whether laid out as one
document or in pieces; a volume's own PDF has no divider (its cover names the volume).

The book is tests/fixtures/volumes: Volume I holds a part of two chapters, Volume II a
part of one chapter and a chapter outside any part; front matter, an appendix and back
matter are shared."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from mlsysgen.build import BuildOptions, build
from mlsysgen.writers import pdf_pieces

from .conftest import FIXTURES

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as exc:  # OSError: Pango is missing
    pytest.skip(
        f"WeasyPrint cannot be imported ({exc}); install mlsysgen[pdf]", allow_module_level=True
    )
pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDFs these tests check")

OUTLINE = [
    (0, "Systems Handbook: Complete Edition"),
    (0, "Contents"),
    (0, "Welcome"),
    (0, "Volume I: Single Machines"),
    (1, "I. Basics"),
    (2, "Chapter 1: Introduction"),
    (2, "Chapter 2: Hardware"),
    (0, "Volume II: At Scale"),
    (1, "I. Basics"),
    (2, "Chapter 1: Scaling Out"),
    (1, "Chapter 2: Fleets"),
    (0, "Appendix A: Glossary"),
    (0, "Colophon"),
]


def _build(where: Path, volumes: list[str]) -> Any:
    root = where / "book"
    shutil.copytree(FIXTURES / "volumes", root)
    out = where / "out"
    build(root, BuildOptions(formats=["pdf"], out=out, cache=False, volumes=volumes))
    (pdf,) = out.glob("*.pdf")
    return pypdf.PdfReader(pdf)


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _build(tmp_path_factory.mktemp("combined"), [])


@pytest.fixture(scope="module")
def combined_in_pieces(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_pieces, "SPLIT_CHARS", 0)
        mp.setattr(pdf_pieces, "PIECE_CHARS", 1)
        mp.setenv("MLSYSGEN_PDF_JOBS", "2")
        return _build(tmp_path_factory.mktemp("pieces"), [])


def _outline(reader: Any, deepest: int = 2) -> list[tuple[int, str, int]]:
    entries: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth <= deepest:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return entries


def _text(reader: Any, page: int) -> str:
    return " ".join(reader.pages[page].extract_text().split())


@pytest.mark.parametrize("book", ["combined", "combined_in_pieces"])
def test_volumes_are_bookmarked_above_their_parts_and_chapters(
    book: str, request: pytest.FixtureRequest
) -> None:
    reader = request.getfixturevalue(book)
    assert [(depth, title) for depth, title, _ in _outline(reader)] == OUTLINE
    sections = [(d, t) for d, t, _ in _outline(reader, 3) if t[:1].isdigit()]
    # Sections of chapters in a volume's part, one level below their chapter.
    assert sections == [(3, "2.1 Memory"), (3, "1.1 Collectives")]


@pytest.mark.parametrize("book", ["combined", "combined_in_pieces"])
def test_each_volume_opens_with_a_divider_page(book: str, request: pytest.FixtureRequest) -> None:
    reader = request.getfixturevalue(book)
    pages = {title: page for _, title, page in _outline(reader)}
    first = pages["Volume I: Single Machines"]
    assert _text(reader, first) == "VOLUME I Single Machines"
    assert _text(reader, pages["Volume II: At Scale"]) == "VOLUME II At Scale Clusters and fleets"
    assert first % 2 == 0  # a right-hand page (pages count from 0)
    assert pages["I. Basics"] > first and pages["Welcome"] < first
    # The volume starts the main matter: its divider is page 1, its first chapter page 5.
    labels = reader.page_labels
    if book == "combined_in_pieces":  # only the merged PDF carries page labels
        assert labels[first] == "1" and labels[pages["Chapter 1: Introduction"]] == "5"


def test_the_contents_lists_volumes_with_their_parts(combined: Any) -> None:
    contents = _text(combined, next(p for _, t, p in _outline(combined) if t == "Contents"))
    volume_one = contents.index("Volume I Single Machines")
    volume_two = contents.index("Volume II At Scale")
    assert volume_one < contents.index("Part I Basics") < contents.index("Introduction")
    assert volume_two < contents.index("Fleets") < contents.index("Glossary")


def test_a_volume_of_its_own_has_no_divider(tmp_path: Path) -> None:
    reader = _build(tmp_path, ["2"])
    titles = [title for _, title, _ in _outline(reader)]
    assert not any(title.startswith("Volume") for title in titles)
    assert titles[3:5] == ["I. Basics", "Chapter 1: Scaling Out"]
    assert not any(_text(reader, n).startswith("VOLUME") for n in range(len(reader.pages)))
