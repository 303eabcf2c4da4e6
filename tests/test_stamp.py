"""The no-change fast path of ``python -m mlsysgen build``: skipped only when every input
hashes the same, the output is as the last build left it, and the command is the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsysgen.__main__ import main

from .helpers import write_book

CHAPTER = "# One {#sec-one}\n\nSee @sec-missing.\n"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", {"one.md": CHAPTER, "notes.txt": "x"})


def _build(book: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["build", str(book), *extra]) == 0
    return capsys.readouterr().err


def test_a_repeated_build_is_skipped_and_repeats_the_warnings(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _build(book, capsys)
    assert first.splitlines()[-1].startswith(f"built {book / '_site'}: 1 pages, 1 warning, 0 errors")
    second = _build(book, capsys).splitlines()
    assert second[0] == (
        f"{book / 'one.md'}:3: warning: unresolved reference @sec-missing; "
        "check the id, or define it with {#sec-missing}"
    )
    assert second[-1].startswith(f"up to date: {book / '_site'}: 1 pages, 1 warning, 0 errors")
    assert second[-1].endswith("(nothing changed since that build)")


@pytest.mark.parametrize(
    "change",
    ["edit a chapter", "touch nothing but a project file", "remove an output file",
     "other options"],
)
def test_any_change_means_a_real_build(
    book: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    _build(book, capsys)
    extra: list[str] = []
    if change == "edit a chapter":
        (book / "one.md").write_text(CHAPTER + "\nMore.\n", encoding="utf-8")
    elif change == "touch nothing but a project file":
        (book / "notes.txt").write_text("y", encoding="utf-8")
    elif change == "remove an output file":
        (book / "_site" / "search.json").unlink()
    else:
        extra = ["--strict"]
    if extra:
        assert main(["build", str(book), *extra]) == 1  # the warning is an error now
        assert "up to date" not in capsys.readouterr().err
        return
    assert _build(book, capsys).splitlines()[-1].startswith("built ")


def test_same_content_rewritten_is_still_up_to_date(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _build(book, capsys)
    (book / "one.md").write_text(CHAPTER, encoding="utf-8")  # new mtime, same bytes
    assert _build(book, capsys).splitlines()[-1].startswith("up to date: ")


def test_no_cache_always_builds(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _build(book, capsys)
    assert _build(book, capsys, "--no-cache").splitlines()[-1].startswith("built ")


def test_status_says_what_the_next_build_redoes(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", str(book)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "no recorded build for this command: the next build does everything"
    )
    _build(book, capsys)
    assert main(["status", str(book)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(f"up to date: {book / '_site'} (1 pages")
    (book / "one.md").write_text(CHAPTER + "\nMore.\n", encoding="utf-8")
    (book / "_site" / "search.json").unlink()
    assert main(["status", str(book)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:6] == [
        "  re-parse and re-render these chapters, and the pages whose references into them changed:",
        "    one.md",
        "  rewrite output files that are missing or were modified:",
        "    search.json",
        "parse cache: 1 entry, 1 not used by any current chapter (python -m mlsysgen clean "
        "removes the cache)",
    ]
