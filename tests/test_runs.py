"""Chapter runs and fragments stored on disk: a build in a new process skips the chapter
passes of every chapter whose source, config, code and declared dependencies hash the
same, and renders only the chapters whose render inputs changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mlsysgen.transforms.headings as headings
from mlsysgen.build import BuildOptions, build
from mlsysgen.stamp import cache_folder

from .helpers import write_book

QUIZ = {"sections": [{"section_id": "#sec-part", "quiz_data": {"quiz_needed": True, "questions": [
    {"question_type": "SHORT", "question": "Why?", "answer": "Because of the first reason."}]}}]}  # fmt: skip
A = "---\nquiz: q.json\n---\n\n# Quizzed {#sec-quizzed}\n\n## Part {#sec-part}\n\nSee @sec-other.\n"
B = "# Other {#sec-other}\n\nText.\n"


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The chapters the (chapter-scope) headings pass ran on."""
    seen: list[str] = []
    real = headings.process_headings

    def counting(book, ctx):  # type: ignore[no-untyped-def]
        seen.extend(c.rel for c in book.chapters)
        real(book, ctx)

    monkeypatch.setattr(headings, "process_headings", counting)
    return seen


def _book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", {"a.md": A, "b.md": B, "q.json": json.dumps(QUIZ)})


def test_a_new_process_reuses_the_stored_runs(tmp_path: Path, passes: list[str]) -> None:
    root = _book(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    build(root, BuildOptions(formats=["html"], out=first))
    assert sorted(passes) == ["a.md", "b.md"]
    passes.clear()
    build(root, BuildOptions(formats=["html"], out=second))
    assert passes == []
    for page in ("a.html", "b.html", "search.json"):
        assert (second / page).read_bytes() == (first / page).read_bytes()


def test_a_new_process_renders_only_what_changed(tmp_path: Path) -> None:
    root = _book(tmp_path)
    out = tmp_path / "out"
    assert build(root, BuildOptions(formats=["html"], out=out)).rendered == 2
    assert build(root, BuildOptions(formats=["html"], out=tmp_path / "again")).rendered == 0
    assert (tmp_path / "again" / "a.html").read_bytes() == (out / "a.html").read_bytes()
    (root / "b.md").write_text(B + "\nMore text.\n", encoding="utf-8")
    assert build(root, BuildOptions(formats=["html"], out=out)).rendered == 1
    (root / "b.md").write_text(B.replace("# Other", "# Renamed"), encoding="utf-8")
    assert build(root, BuildOptions(formats=["html"], out=out)).rendered == 2  # a.md cites it


def test_an_edited_chapter_or_dependency_is_made_again(tmp_path: Path, passes: list[str]) -> None:
    root = _book(tmp_path)
    out = tmp_path / "out"
    build(root, BuildOptions(formats=["html"], out=out))
    passes.clear()
    (root / "b.md").write_text(B + "\nMore text.\n", encoding="utf-8")
    build(root, BuildOptions(formats=["html"], out=out))
    assert passes == ["b.md"]
    passes.clear()
    QUIZ["sections"][0]["quiz_data"]["questions"][0]["answer"] = "Because of the second reason."
    try:
        (root / "q.json").write_text(json.dumps(QUIZ), encoding="utf-8")
        build(root, BuildOptions(formats=["html"], out=out))
    finally:
        QUIZ["sections"][0]["quiz_data"]["questions"][0]["answer"] = "Because of the first reason."
    assert passes == ["a.md"]
    assert "second reason" in (out / "a.html").read_text()


def test_one_entry_per_chapter_and_format_whatever_the_edits(tmp_path: Path) -> None:
    root = _book(tmp_path)
    for n in range(3):
        (root / "b.md").write_text(B + f"\nEdit {n}.\n", encoding="utf-8")
        build(root, BuildOptions(formats=["html"], out=tmp_path / "out"))
    stored = sorted(p.parent.name for p in (cache_folder(root) / "runs").rglob("*.pickle"))
    assert stored == ["html", "html"]
    assert len(list((cache_folder(root) / "rendered").rglob("*.pickle"))) == 2
    assert len(list((cache_folder(root) / "parse").rglob("*.pickle"))) == 2  # older versions go


def test_a_damaged_entry_is_made_again(tmp_path: Path, passes: list[str]) -> None:
    root = _book(tmp_path)
    build(root, BuildOptions(formats=["html"], out=tmp_path / "out"))
    for entry in (cache_folder(root) / "runs" / "html").glob("*.pickle"):
        key = entry.read_bytes().split(b"\n", 1)[0]
        entry.write_bytes(key + b"\nnot a pickle")
    passes.clear()
    build(root, BuildOptions(formats=["html"], out=tmp_path / "out2"))
    assert sorted(passes) == ["a.md", "b.md"]
    assert "See <a" in (tmp_path / "out2" / "a.html").read_text()


def test_formatted_citations_keep_only_the_latest_entries(tmp_path: Path) -> None:
    bib = "".join(f"@book{{k{n}, author = {{A. Author}}, title = {{T{n}}}, year = {{20{n:02d}}}}}\n"
                  for n in range(9))  # fmt: skip
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n[@k0]\n", "refs.bib": bib},
                      {"bibliography": ["refs.bib"]})  # fmt: skip
    for n in range(9):
        (root / "a.md").write_text(f"# A\n\n[@k{n}]\n", encoding="utf-8")
        build(root, BuildOptions(formats=["html"], out=tmp_path / "out"))
        assert f"Author 20{n:02d}" in (tmp_path / "out" / "a.html").read_text()
    assert len(list((cache_folder(root) / "citations").glob("*.pickle"))) == 6


def test_compiled_templates_go_to_each_projects_own_cache(tmp_path: Path) -> None:
    """The template environment is kept per process; its bytecode cache is the build
    cache of the project being built, not of the first one this process built."""
    first = write_book(tmp_path / "first", {"a.md": "# A\n"})
    second = write_book(tmp_path / "second", {"b.md": "# B\n"})
    build(first, BuildOptions(formats=["html"], out=tmp_path / "out1"))
    build(second, BuildOptions(formats=["html"], out=tmp_path / "out2"))
    assert list((cache_folder(second.resolve()) / "templates").glob("__jinja2_*"))
